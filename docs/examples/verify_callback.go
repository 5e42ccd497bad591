// Verifies a Parley callback (Standard Webhooks signature) over the RAW body bytes, as received.
// In net/http read the body with io.ReadAll(r.Body) before parsing the form, then give Parse a new reader.
// Run as a program: go run verify_callback.go <secret> <webhook-id> <webhook-timestamp> <webhook-signature> < body
package main

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"
)

const toleranceSeconds = 5 * 60

// VerifyCallback reports whether one of the v1 signatures matches the raw body.
func VerifyCallback(secret, msgID, timestamp, signatures string, rawBody []byte, now time.Time) bool {
	ts, err := strconv.ParseInt(timestamp, 10, 64)
	if err != nil || msgID == "" {
		return false
	}
	// Refuse old or future-dated messages, so a captured request cannot be replayed later.
	if d := now.Unix() - ts; d > toleranceSeconds || d < -toleranceSeconds {
		return false
	}
	key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, "whsec_"))
	if err != nil || len(key) < 16 { // no secret (or a mangled one): anyone could sign with it
		return false
	}
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(msgID + "." + timestamp + "."))
	mac.Write(rawBody) // the bytes themselves, never converted to a string
	expected := mac.Sum(nil)
	for _, entry := range strings.Split(signatures, " ") {
		parts := strings.SplitN(entry, ",", 2)
		if len(parts) != 2 || parts[0] != "v1" {
			continue
		}
		given, err := base64.StdEncoding.DecodeString(parts[1])
		if err == nil && hmac.Equal(given, expected) {
			return true
		}
	}
	return false
}

func main() {
	if len(os.Args) != 5 {
		fmt.Fprintln(os.Stderr, "usage: verify_callback <secret> <webhook-id> <webhook-timestamp> <webhook-signature> < body")
		os.Exit(2)
	}
	body, err := io.ReadAll(os.Stdin)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	if VerifyCallback(os.Args[1], os.Args[2], os.Args[3], os.Args[4], body, time.Now()) {
		fmt.Println("valid")
		return
	}
	fmt.Println("invalid")
	os.Exit(1)
}
