package main

import (
	"os/exec"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pvpsync/pvpsync/internal/testbin"
)

// The binary says which build it is, without a Temporal server.
func TestStarterVersion(t *testing.T) {
	bin := testbin.Build(t, "./starter")
	out, err := exec.Command(bin, "--version").CombinedOutput() // #nosec G204 -- the binary this test built
	require.NoError(t, err, string(out))
	assert.Regexp(t, `^pvpsync \S+ \(rev \S+, built \S+, go1\.\d+`, string(out))
}
