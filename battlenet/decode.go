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
	var doc struct {
		Equipment
		Items json.RawMessage `json:"equipped_items"` // shadows Equipment.EquippedItems: decoded below
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		return nil, decodeError(err)
	}
	if err := decodePart(doc.Items, "equipped_items", &doc.EquippedItems); err != nil {
		return nil, err
	}
	return &doc.Equipment, nil
}

// DecodeSpecializations decodes a specializations response; the specializations key must be present.
func DecodeSpecializations(raw []byte) (*Specializations, error) {
	var doc struct {
		Specializations
		Specs json.RawMessage `json:"specializations"` // shadows Specializations.Specializations
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		return nil, decodeError(err)
	}
	if err := decodePart(doc.Specs, "specializations", &doc.Specializations.Specializations); err != nil {
		return nil, err
	}
	return &doc.Specializations, nil
}

// DecodeLeaderboard decodes a leaderboard response; the entries key must be present.
func DecodeLeaderboard(raw []byte) (*Leaderboard, error) {
	var doc struct {
		Leaderboard
		Entries json.RawMessage `json:"entries"` // shadows Leaderboard.Entries
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		return nil, decodeError(err)
	}
	if err := decodePart(doc.Entries, "entries", &doc.Leaderboard.Entries); err != nil {
		return nil, err
	}
	return &doc.Leaderboard, nil
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

// The three decoders above parse a body once: the document into the model, except the one field the
// caller exists for, which an outer field of the same JSON name captures raw (encoding/json fills the
// shallower field), so its presence is known; only that field is then decoded from its bytes.

// decodePart decodes one captured field; absent (nil) is an error, null and [] are real answers.
func decodePart[T any](field json.RawMessage, name string, out *T) error {
	if field == nil {
		return decodeError(fmt.Errorf("%q is missing", name))
	}
	if err := json.Unmarshal(field, out); err != nil {
		return decodeError(err)
	}
	return nil
}

func decodeError(err error) *Error {
	return &Error{Kind: ErrDecode, Err: err}
}
