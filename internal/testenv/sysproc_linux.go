package testenv

import (
	"os/user"
	"strconv"
	"syscall"
)

// sysProcAttr runs the child as user as (nil: as ourselves) and makes the
// kernel send it SIGQUIT (PostgreSQL's immediate shutdown) if the test
// process dies without running its cleanups.
func sysProcAttr(as *user.User) (*syscall.SysProcAttr, error) {
	attr := &syscall.SysProcAttr{Pdeathsig: syscall.SIGQUIT}
	if as != nil {
		uid, err := strconv.ParseUint(as.Uid, 10, 32)
		if err != nil {
			return nil, err
		}
		gid, err := strconv.ParseUint(as.Gid, 10, 32)
		if err != nil {
			return nil, err
		}
		attr.Credential = &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}
	}
	return attr, nil
}
