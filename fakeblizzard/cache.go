package fakeblizzard

import "sync"

// profileCacheBytes bounds the marshalled profile bodies kept in memory. A full 5,000-character world
// is several hundred MB of JSON; this keeps the most recent share of it, which is what repeated
// benchmark passes hit, without letting the fake grow unbounded on a shared machine.
const profileCacheBytes = 96 << 20

// cacheKey names one body: eq and sp are the equipment and specializations versions it shows (-1 for
// the one a kind does not show, so a respec does not evict the equipment).
type cacheKey struct {
	kind   string
	region string
	id     int64
	eq, sp int
}

// byteCache is a FIFO cache with a byte budget: simple, and good enough since every key is equally
// likely to be asked again.
type byteCache struct {
	mu     sync.Mutex
	budget int
	size   int
	items  map[cacheKey][]byte
	order  []cacheKey
}

func newByteCache(budget int) *byteCache {
	return &byteCache{budget: budget, items: map[cacheKey][]byte{}}
}

func (c *byteCache) get(k cacheKey) ([]byte, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	b, ok := c.items[k]
	return b, ok
}

func (c *byteCache) put(k cacheKey, b []byte) {
	if len(b) > c.budget {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.items[k]; ok {
		return
	}
	for c.size+len(b) > c.budget && len(c.order) > 0 {
		old := c.order[0]
		c.order = c.order[1:]
		c.size -= len(c.items[old])
		delete(c.items, old)
	}
	c.items[k] = b
	c.order = append(c.order, k)
	c.size += len(b)
}
