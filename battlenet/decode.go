package battlenet

import (
	"encoding/json"
	"errors"
	"fmt"
)

// The decoders below are shared by the client and by the code that re-reads raw JSON kept in
// PostgreSQL, so both reject the same bodies. Besides invalid JSON they reject a body missing the
// field the caller exists for: an empty list is a real answer (a character with nothing equipped, a
// board nobody is on yet), an absent key means the body is something else (an error page, a
// different resource) and must not be stored as "no items".

// DecodeEquipment decodes an equipment response; the equipped_items key must be present.
func DecodeEquipment(raw []byte) (*Equipment, error) {
	var probe struct {
		Items json.RawMessage `json:"equipped_items"`
	}
	return decodeChecked[Equipment](raw, &probe, func() error {
		return requireKey(probe.Items, "equipped_items")
	})
}

// DecodeSpecializations decodes a specializations response; the specializations key must be present.
func DecodeSpecializations(raw []byte) (*Specializations, error) {
	var probe struct {
		Specs json.RawMessage `json:"specializations"`
	}
	return decodeChecked[Specializations](raw, &probe, func() error {
		return requireKey(probe.Specs, "specializations")
	})
}

// DecodeLeaderboard decodes a leaderboard response; the entries key must be present.
func DecodeLeaderboard(raw []byte) (*Leaderboard, error) {
	var probe struct {
		Entries json.RawMessage `json:"entries"`
	}
	return decodeChecked[Leaderboard](raw, &probe, func() error {
		return requireKey(probe.Entries, "entries")
	})
}

// DecodeProfile decodes a character profile; a profile without an id identifies nobody.
func DecodeProfile(raw []byte) (*Profile, error) {
	p, err := decodeJSON[Profile](raw)
	if err != nil {
		return nil, err
	}
	if p.ID == 0 {
		return nil, decodeError(errors.New("profile has no id"))
	}
	return p, nil
}

// decodeJSON decodes a body into T, reporting any failure as ErrDecode.
func decodeJSON[T any](raw []byte) (*T, error) {
	var v T
	if err := json.Unmarshal(raw, &v); err != nil {
		return nil, decodeError(err)
	}
	return &v, nil
}

// decodeChecked decodes raw into T and into probe, then runs check against the probe.
func decodeChecked[T any](raw []byte, probe any, check func() error) (*T, error) {
	v, err := decodeJSON[T](raw)
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(raw, probe); err != nil {
		return nil, decodeError(err)
	}
	if err := check(); err != nil {
		return nil, decodeError(err)
	}
	return v, nil
}

// requireKey accepts any value, null included (the fake server encodes an empty slice as null), and
// rejects only an absent key.
func requireKey(field json.RawMessage, name string) error {
	if field == nil {
		return fmt.Errorf("%q is missing", name)
	}
	return nil
}

func decodeError(err error) *Error {
	return &Error{Kind: ErrDecode, Err: err}
}
