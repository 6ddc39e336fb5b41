package api

import (
	"sync"

	"github.com/vigia/vigia/internal/compliance"
)

// DefaultHubBuffer is the per-client buffer NewHub uses for a buffer ≤ 0.
const DefaultHubBuffer = 256

// Hub fans alerts out to Server-Sent Events clients. Publish never blocks:
// a client whose buffer is full is disconnected (its channel closed) and
// counted; it reconnects and gets the open alerts again from the store.
// A Hub is safe for concurrent use; the zero value is not usable, make one
// with NewHub.
type Hub struct {
	buffer int

	mu      sync.Mutex
	clients map[chan compliance.Alert]struct{}
	dropped uint64
	closed  bool
	metrics *Metrics
}

// NewHub returns a Hub that buffers up to buffer alerts per client
// (DefaultHubBuffer when buffer ≤ 0).
func NewHub(buffer int) *Hub {
	if buffer <= 0 {
		buffer = DefaultHubBuffer
	}
	return &Hub{buffer: buffer, clients: make(map[chan compliance.Alert]struct{})}
}

// Instrument makes the Hub keep m.SSEClients and m.SSEDropped. New calls
// it with its Config's Metrics.
func (h *Hub) Instrument(m *Metrics) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.metrics = m
	if m != nil {
		m.SSEClients.Set(float64(len(h.clients)))
	}
}

// Publish sends a to every client without blocking; a client whose buffer
// is full is disconnected and counted (see Dropped).
func (h *Hub) Publish(a compliance.Alert) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for ch := range h.clients {
		select {
		case ch <- a:
		default:
			h.drop(ch)
			h.dropped++
			if h.metrics != nil {
				h.metrics.SSEDropped.Inc()
			}
		}
	}
}

// drop removes and closes ch; h.mu is held.
func (h *Hub) drop(ch chan compliance.Alert) {
	delete(h.clients, ch)
	close(ch)
	if h.metrics != nil {
		h.metrics.SSEClients.Set(float64(len(h.clients)))
	}
}

// Subscribe registers a client. Its events channel receives every alert
// published from now on and is closed when the client falls behind, when
// cancel is called or when the Hub is closed. cancel releases the client;
// it may be called more than once.
func (h *Hub) Subscribe() (events <-chan compliance.Alert, cancel func()) {
	ch := make(chan compliance.Alert, h.buffer)
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		close(ch)
		return ch, func() {}
	}
	h.clients[ch] = struct{}{}
	if h.metrics != nil {
		h.metrics.SSEClients.Set(float64(len(h.clients)))
	}
	return ch, func() {
		h.mu.Lock()
		defer h.mu.Unlock()
		if _, ok := h.clients[ch]; ok {
			h.drop(ch)
		}
	}
}

// Clients returns the number of subscribed clients.
func (h *Hub) Clients() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.clients)
}

// Dropped returns how many clients were disconnected for falling behind.
func (h *Hub) Dropped() uint64 {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.dropped
}

// Close disconnects every client and makes later Subscribes return a
// closed channel, so that alert streams end and an http.Server's Shutdown
// is not held up by them. Publish after Close does nothing.
func (h *Hub) Close() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.closed = true
	for ch := range h.clients {
		h.drop(ch)
	}
}
