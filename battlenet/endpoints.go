package battlenet

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
)

// SeasonIndex fetches /data/wow/pvp-season/index.
func (c *Client) SeasonIndex(ctx context.Context, region, locale string) (*SeasonIndex, error) {
	return fetchDynamic(ctx, c, region, locale, "/data/wow/pvp-season/index", "season-index", decodeJSON[SeasonIndex])
}

// Season fetches /data/wow/pvp-season/{id}.
func (c *Client) Season(ctx context.Context, region, locale string, seasonID int64) (*Season, error) {
	return fetchDynamic(ctx, c, region, locale, fmt.Sprintf("/data/wow/pvp-season/%d", seasonID), "season", decodeJSON[Season])
}

// LeaderboardIndex fetches /data/wow/pvp-season/{id}/pvp-leaderboard/index.
func (c *Client) LeaderboardIndex(ctx context.Context, region, locale string, seasonID int64) (*LeaderboardIndex, error) {
	return fetchDynamic(ctx, c, region, locale, fmt.Sprintf("/data/wow/pvp-season/%d/pvp-leaderboard/index", seasonID),
		"leaderboard-index", decodeJSON[LeaderboardIndex])
}

// Leaderboard fetches /data/wow/pvp-season/{id}/pvp-leaderboard/{bracket}. The bracket is not checked
// against the spec table: the index may list a board newer than this build.
func (c *Client) Leaderboard(ctx context.Context, region, locale string, seasonID int64, bracket string) (*Leaderboard, error) {
	if bracket == "" {
		return nil, &Error{Kind: ErrBadRequest, Err: errors.New("bracket is empty")}
	}
	return fetchDynamic(ctx, c, region, locale,
		fmt.Sprintf("/data/wow/pvp-season/%d/pvp-leaderboard/%s", seasonID, url.PathEscape(bracket)),
		"leaderboard", DecodeLeaderboard)
}

// Profile fetches the character summary. With ifModifiedSince set, an unchanged character answers
// ErrNotModified (Response.LastModified then repeats the value sent).
func (c *Client) Profile(ctx context.Context, region, locale, realmSlug, name, ifModifiedSince string) (*Profile, Response, error) {
	return fetchProfile(ctx, c, region, locale, realmSlug, name, "", "profile", ifModifiedSince, DecodeProfile)
}

// Equipment fetches the character's equipped items (conditional like Profile).
func (c *Client) Equipment(ctx context.Context, region, locale, realmSlug, name, ifModifiedSince string) (*Equipment, Response, error) {
	return fetchProfile(ctx, c, region, locale, realmSlug, name, "/equipment", "equipment", ifModifiedSince, DecodeEquipment)
}

// Specializations fetches the character's specs and talent loadouts (conditional like Profile).
func (c *Client) Specializations(ctx context.Context, region, locale, realmSlug, name, ifModifiedSince string) (*Specializations, Response, error) {
	return fetchProfile(ctx, c, region, locale, realmSlug, name, "/specializations", "specializations", ifModifiedSince, DecodeSpecializations)
}

// CharacterPath is the escaped path of a character resource: Battle.net wants the name lowercased and
// percent-encoded as UTF-8 ("Motívate" -> "mot%C3%ADvate").
func CharacterPath(realmSlug, name string) string {
	return "/profile/wow/character/" + url.PathEscape(strings.ToLower(realmSlug)) + "/" + url.PathEscape(strings.ToLower(name))
}

func fetchDynamic[T any](ctx context.Context, c *Client, region, locale, path, label string, decode func([]byte) (*T, error)) (*T, error) {
	var v *T
	_, err := c.get(ctx, request{region: region, locale: locale, namespace: "dynamic", path: path, label: label},
		func(body []byte) (err error) { v, err = decode(body); return err })
	if err != nil {
		return nil, err
	}
	return v, nil
}

func fetchProfile[T any](ctx context.Context, c *Client, region, locale, realmSlug, name, suffix, label, ifModifiedSince string,
	decode func([]byte) (*T, error)) (*T, Response, error) {
	if strings.TrimSpace(realmSlug) == "" || strings.TrimSpace(name) == "" {
		return nil, Response{}, &Error{Kind: ErrBadRequest, Err: fmt.Errorf("realm %q and name %q must both be set", realmSlug, name)}
	}
	var v *T
	resp, err := c.get(ctx, request{region: region, locale: locale, namespace: "profile",
		path: CharacterPath(realmSlug, name) + suffix, label: label, ifModifiedSince: ifModifiedSince},
		func(body []byte) (err error) { v, err = decode(body); return err })
	if err != nil {
		return nil, resp, err
	}
	return v, resp, nil
}
