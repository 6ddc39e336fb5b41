package sim

import (
	"context"
	"io"
	"strings"
	"testing"
	"time"
)

// TestADSBLoss: with adsb_loss the receiver misses about that share of
// the messages, and the truth lists only those received.
func TestADSBLoss(t *testing.T) {
	src := strings.Replace(minimal, `icao = "ABC123"`, "icao = \"ABC123\"\nadsb_loss = 0.3", 1)
	src = strings.Replace(src, `duration = "1m"`, `duration = "5m"`, 1)
	sc, err := Parse("loss.toml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	s, err := New(sc)
	if err != nil {
		t.Fatal(err)
	}
	var truth strings.Builder
	st, err := s.Run(context.Background(), &Output{AVR: io.Discard, Truth: &truth})
	if err != nil {
		t.Fatal(err)
	}
	share := float64(st.ADSBLost) / float64(st.ADSB+st.ADSBLost)
	if share < 0.25 || share > 0.35 {
		t.Errorf("lost %d of %d (%.3f), want about 0.3", st.ADSBLost, st.ADSB+st.ADSBLost, share)
	}
	if n := strings.Count(truth.String(), `"ticks"`); n != st.ADSB {
		t.Errorf("%d ADS-B truth records, %d messages written", n, st.ADSB)
	}
}

// BenchmarkRun simulates one minute of the border scenario (three KLV
// drones with video, three ADS-B aircraft) into io.Discard.
func BenchmarkRun(b *testing.B) {
	sc, err := Load("border")
	if err != nil {
		b.Fatal(err)
	}
	sc.Duration = time.Minute
	s, err := New(sc)
	if err != nil {
		b.Fatal(err)
	}
	o := &Output{AVR: io.Discard, Beast: io.Discard, Truth: io.Discard, TS: map[string]io.Writer{}}
	for _, a := range sc.Aircraft {
		if a.KLV {
			o.TS[a.ID] = io.Discard
		}
	}
	b.ReportAllocs()
	var st Stats
	for b.Loop() {
		st, err = s.Run(context.Background(), o)
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(st.ADSB+st.KLV)*float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
	b.ReportMetric(sc.Duration.Seconds()*float64(b.N)/b.Elapsed().Seconds(), "scenario-s/s")
}

// BenchmarkNewFlight integrates 20 minutes of each pattern.
func BenchmarkNewFlight(b *testing.B) {
	sc, err := Load("border")
	if err != nil {
		b.Fatal(err)
	}
	for i := range sc.Aircraft {
		a := &sc.Aircraft[i]
		b.Run(a.ID+"-"+a.Pattern.Kind.String(), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := NewFlight(a, 20*time.Minute); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
