package actors

import (
	"errors"
	"fmt"

	"github.com/dhcpagent/dhcpagent/ipadm"
	"github.com/dhcpagent/dhcpagent/ipc"
	"github.com/dhcpagent/dhcpagent/kernel"
	"github.com/dhcpagent/dhcpagent/messages"
)

// codedError carries the result code of an administrative failure.
type codedError struct {
	code ipc.Code
	msg  string
}

func (e *codedError) Error() string { return e.msg }

func fail(code ipc.Code, format string, args ...any) error {
	return &codedError{code: code, msg: fmt.Sprintf(format, args...)}
}

// failure is err as a result, with the code it carries.
func failure(err error) *messages.Result {
	var ce *codedError
	switch {
	case errors.As(err, &ce):
		return messages.Fail(ce.code, "%s", ce.msg)
	case errors.Is(err, ipadm.ErrInvalidName):
		return messages.Fail(ipc.ErrInvalid, "%v", err)
	case errors.Is(err, kernel.ErrNoLink):
		return messages.Fail(ipc.ErrNoLink, "%v", err)
	}
	return messages.Fail(ipc.ErrInternal, "%v", err)
}
