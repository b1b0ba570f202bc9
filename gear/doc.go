// Package gear turns Battle.net equipment and specializations responses into what pvpsync stores: the
// character's item level, class tier set, items and per-slot details, and the talent loadout that
// matters for a leaderboard. Everything here is a pure function of the decoded models; nothing panics,
// whatever the API (or a fuzzer) sends.
package gear
