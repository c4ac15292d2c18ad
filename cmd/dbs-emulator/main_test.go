package main

import "testing"

func TestCheckLoopback(t *testing.T) {
	for addr, ok := range map[string]bool{
		"127.0.0.1:0":    true,
		"127.0.0.2:8080": true,
		"[::1]:0":        true,
		"localhost:0":    true,
		":0":             false,
		"0.0.0.0:0":      false,
		"[::]:0":         false,
		"10.1.2.3:80":    false,
		"example.com:80": false,
		"127.0.0.1":      false,
	} {
		if err := checkLoopback(addr, false); (err == nil) != ok {
			t.Errorf("checkLoopback(%q) = %v", addr, err)
		}
	}
	if err := checkLoopback("0.0.0.0:0", true); err != nil {
		t.Errorf("allowed: %v", err)
	}
}
