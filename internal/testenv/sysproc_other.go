//go:build !linux

package testenv

import (
	"errors"
	"os/user"
	"syscall"
)

// sysProcAttr: switching to an unprivileged user is implemented on Linux only.
func sysProcAttr(as *user.User) (*syscall.SysProcAttr, error) {
	if as != nil {
		return nil, errors.New("testenv: running PostgreSQL from a root test process is only supported on Linux")
	}
	return nil, nil
}
