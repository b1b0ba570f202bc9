package workflows

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// Operators type workflow input by hand (`temporal workflow start --input '{...}'`): a misspelt field
// must not be ignored silently. strictDecode decodes leniently so the workflow can start, and remembers
// the first unknown field; validation then fails the workflow with a non-retryable InvalidInput error.
func strictDecode[T any](b []byte, out *T) (problem string, err error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if strictErr := dec.Decode(out); strictErr == nil {
		return "", nil
	} else if err := json.Unmarshal(b, out); err != nil {
		return "", err
	} else {
		return fmt.Sprintf("%v (known fields are the JSON names of %T)", strictErr, *out), nil
	}
}

// UnmarshalJSON records unknown fields instead of dropping them.
func (in *SyncRegionInput) UnmarshalJSON(b []byte) error {
	type plain SyncRegionInput
	var p plain
	problem, err := strictDecode(b, &p)
	*in = SyncRegionInput(p)
	in.inputProblem = problem
	return err
}

// UnmarshalJSON records unknown fields instead of dropping them.
func (in *SyncLeaderboardInput) UnmarshalJSON(b []byte) error {
	type plain SyncLeaderboardInput
	var p plain
	problem, err := strictDecode(b, &p)
	*in = SyncLeaderboardInput(p)
	in.inputProblem = problem
	return err
}

// UnmarshalJSON records unknown fields instead of dropping them.
func (in *SyncCharacterInput) UnmarshalJSON(b []byte) error {
	type plain SyncCharacterInput
	var p plain
	problem, err := strictDecode(b, &p)
	*in = SyncCharacterInput(p)
	in.inputProblem = problem
	return err
}

// UnmarshalJSON records unknown fields instead of dropping them.
func (in *PurgeSnapshotsInput) UnmarshalJSON(b []byte) error {
	type plain PurgeSnapshotsInput
	var p plain
	problem, err := strictDecode(b, &p)
	*in = PurgeSnapshotsInput(p)
	in.inputProblem = problem
	return err
}
