//go:build !unix

package bus

import "time"

// cpuTime is unknown on this system; benchmarks report 0 CPU time.
func cpuTime() time.Duration { return 0 }
