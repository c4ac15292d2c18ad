package dbs

import (
	"math"
	"time"
)

// The adaptive rate's constants. beta and the minimum are aws-sdk-go-v2's (aws/retry/adaptive_ratelimit.go);
// growth is relative to the learned quota rather than absolute, so that a quota of 5 calls a second is
// probed as gently as one of 100 (an absolute constant overshoots small quotas by half within a second).
const (
	rateBeta      = 0.7  // a refusal lowers the rate to this share of what the gateway accepted
	rateGrowth    = 0.02 // the curve's scale, per second cubed, as a share of the learned quota...
	rateGrowthMin = 0.05 // ...and at least this, in requests per second per second cubed, so that a rate
	// cut to its minimum recovers in seconds, not minutes
	rateMinimum = 0.5 // requests per second; never slower, so that a listing always moves
	// A refusal within this share of the last peak finds the quota where it was: each such refusal in a
	// row halves the curve's scale, up to rateSteadyMax times, so that a known quota is probed seldom.
	rateSteady    = 0.25
	rateSteadyMax = 3
	rateWindow    = time.Second
	tokenReserve  = 1.0 // tokens the bucket holds at most: requests are spaced evenly, never bunched
)

// adaptiveRate is a client-side token bucket whose rate is learned from throttling, after the adaptive
// retry mode of aws-sdk-go-v2: unlimited until the gateway first refuses for throttling, then limited
// to a share of what it accepted, and recovering along a cubic curve that stays flat near the rate last
// refused and then probes above it. A ceiling the user knows caps it from the start.
//
// Two departures from the SDK, both because the gateway grants a burst before it refuses: the rate a
// refusal lowers from is the rate of answers the gateway accepted in the last second (the SDK uses the
// rate sent, which after a burst is far above the quota), and a refusal of a request sent before the
// last lowering is not news and lowers nothing (the SDK lowers again for every refusal of a burst already
// in flight, collapsing to its minimum).
//
// It holds no lock and reads no clock: the scheduler owns it and hands it the time.
type adaptiveRate struct {
	ceiling float64 // requests per second the user allowed; 0 for no ceiling
	limited bool    // whether requests wait for tokens at all
	rate    float64 // requests per second while limited
	tokens  float64
	filled  time.Time // when tokens was last brought up to date

	peak     float64   // the rate the gateway accepted when it last refused: the quota as last learned
	peakSent bool      // whether peak is the rate sent, nothing having been accepted in the last second
	cut      time.Time // when the rate was last lowered
	scale    float64   // the curve's scale, requests per second per second cubed
	window   float64   // seconds from cut until the curve is back at peak
	steady   int       // how many refusals in a row came near the same peak: the slower the next probe

	accepted []time.Time // answers of the last second that were not refusals, oldest first
	sent     []time.Time // requests sent in the last second, oldest first
}

func newAdaptiveRate(ceiling float64, now time.Time) *adaptiveRate {
	a := &adaptiveRate{ceiling: ceiling, filled: now}
	if ceiling > 0 {
		a.limited, a.rate, a.peak, a.tokens = true, ceiling, ceiling, tokenReserve
	}
	return a
}

// wait is how long until a token is free; 0 when one is free now (or none is needed).
func (a *adaptiveRate) wait(now time.Time) time.Duration {
	if !a.limited {
		return 0
	}
	a.refill(now)
	if a.tokens >= 1 {
		return 0
	}
	return time.Duration(math.Ceil((1 - a.tokens) / a.rate * float64(time.Second)))
}

// take spends a token (wait must have said 0) and counts a request sent.
func (a *adaptiveRate) take(now time.Time) {
	a.sent = append(prune(a.sent, now), now)
	if a.limited {
		a.refill(now)
		a.tokens--
	}
}

func (a *adaptiveRate) refill(now time.Time) {
	if elapsed := now.Sub(a.filled).Seconds(); elapsed > 0 {
		a.tokens = min(tokenReserve, a.tokens+elapsed*a.rate)
	}
	a.filled = now
}

// rateChange says how an answer moved the rate.
type rateChange int

const (
	rateKept rateChange = iota
	rateLowered
	rateRaised
)

// answered feeds the rate an answer to a request sent at sent. throttled is a refusal for throttling;
// every other answer counts as accepted (transport failures are neither and are not fed).
func (a *adaptiveRate) answered(now, sent time.Time, throttled bool) rateChange {
	if !throttled {
		a.accepted = append(prune(a.accepted, now), now)
		return a.grow(now)
	}
	if a.limited && sent.Before(a.cut) {
		return rateKept
	}
	a.accepted, a.sent = prune(a.accepted, now), prune(a.sent, now)
	peak := float64(len(a.accepted)) / rateWindow.Seconds()
	a.peakSent = peak == 0
	if a.peakSent {
		// Nothing accepted yet, as when the first answers of a cold start come back together: the
		// rate sent is all there is to go by, and the refusals of requests sent after this cut will
		// bring it down to what is accepted.
		peak = float64(len(a.sent)) / rateWindow.Seconds()
	}
	if a.limited {
		a.refill(now)
		peak = min(peak, a.rate)
	}
	peak = max(peak, rateMinimum)
	if a.peak > 0 && math.Abs(peak-a.peak) <= rateSteady*a.peak {
		a.steady = min(a.steady+1, rateSteadyMax)
	} else {
		a.steady = 0
	}
	a.peak = peak
	a.scale = max(rateGrowth*a.peak, rateGrowthMin) / float64(int(1)<<a.steady)
	a.window = math.Cbrt(a.peak * (1 - rateBeta) / a.scale)
	a.cut = now
	before := a.current()
	a.rate = max(rateBeta*a.peak, rateMinimum)
	if a.ceiling > 0 {
		a.rate = min(a.rate, a.ceiling) // a ceiling below the minimum is the user's to set
	}
	if !a.limited {
		a.limited, a.tokens, a.filled = true, 0, now
	}
	if before == 0 || a.rate < before {
		return rateLowered
	}
	return rateKept
}

// grow moves the rate up along the recovery curve. It never runs far ahead of demand: a rate twice what
// was sent in the last second is as much as any probe needs.
func (a *adaptiveRate) grow(now time.Time) rateChange {
	if !a.limited || a.cut.IsZero() {
		return rateKept
	}
	t := now.Sub(a.cut).Seconds() - a.window
	r := a.peak + a.scale*t*t*t
	a.sent = prune(a.sent, now)
	r = min(r, max(a.peak, 2*float64(len(a.sent))/rateWindow.Seconds()))
	r = max(r, rateMinimum)
	if a.ceiling > 0 {
		r = min(r, a.ceiling)
	}
	if r <= a.rate { // only a refusal lowers the rate
		return rateKept
	}
	a.refill(now)
	a.rate = r
	return rateRaised
}

// current is the rate requests are held to, or 0 when they are not held.
func (a *adaptiveRate) current() float64 {
	if !a.limited {
		return 0
	}
	return a.rate
}

// prune drops the times older than the measuring window, in place.
func prune(times []time.Time, now time.Time) []time.Time {
	i := 0
	for i < len(times) && now.Sub(times[i]) >= rateWindow {
		i++
	}
	if i == 0 {
		return times
	}
	return append(times[:0], times[i:]...)
}
