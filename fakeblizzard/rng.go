package fakeblizzard

import (
	"math/rand/v2"
)

// Every generated fact is derived from (seed, labels...) rather than drawn from one shared stream, so
// facts can be produced lazily, in any order and from any goroutine, and still be identical across runs.

// mix is the splitmix64 finaliser.
func mix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// strHash is FNV-1a, finished with mix so short strings still spread.
func strHash(s string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	return mix(h)
}

// derive folds values into a hash.
func derive(h uint64, vals ...uint64) uint64 {
	for _, v := range vals {
		h = mix(h ^ mix(v))
	}
	return h
}

// hashInt reinterprets an integer's bits as a hash input. Negative values wrap, which is harmless: the
// result only feeds hashes and generator seeds, never a size, an index or a bound.
func hashInt[T ~int | ~int64](v T) uint64 {
	return uint64(v) // #nosec G115 -- bit reinterpretation for hashing; wrapping negatives is intended
}

// unit maps a hash to [0, 1).
func unit(h uint64) float64 {
	return float64(h>>11) / (1 << 53)
}

// newRand returns a generator seeded from a derived hash.
func newRand(h uint64) *rand.Rand {
	return rand.New(rand.NewPCG(h, mix(h^0x5851f42d4c957f2d))) // #nosec G404 -- deterministic test data by design, not security
}

// pick returns a random element.
func pick[T any](r *rand.Rand, xs []T) T {
	return xs[r.IntN(len(xs))]
}

// chance is a biased coin.
func chance(r *rand.Rand, p float64) bool {
	return r.Float64() < p
}
