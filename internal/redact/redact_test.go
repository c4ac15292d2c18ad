package redact

import "testing"

func TestValues(t *testing.T) {
	const signature = "0123456789abcdef"
	for _, tc := range []struct {
		name, text string
		values     []string
		want       string
	}{
		{"a value that contains another goes whole", "Authorization: ACS3-HMAC-SHA256 Signature=" + signature,
			[]string{signature, "ACS3-HMAC-SHA256 Signature=" + signature}, "Authorization: " + Marker},
		{"as is and query-escaped", "key a+b/c= in a%2Bb%2Fc%3D", []string{"a+b/c="}, "key " + Marker + " in " + Marker},
		{"short values are left alone", "a secret of 3: abc", []string{"abc", ""}, "a secret of 3: abc"},
		{"every occurrence", "tok-123 and tok-123", []string{"tok-123"}, Marker + " and " + Marker},
		// Values keeps a URL's query: an API's link to its diagnosis must stay whole.
		{"no patterns", "see https://api.aliyun.com/troubleshoot?q=Throttling&Signature=x", nil,
			"see https://api.aliyun.com/troubleshoot?q=Throttling&Signature=x"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := Values(tc.text, tc.values...); got != tc.want {
				t.Errorf("Values(%q) = %q, want %q", tc.text, got, tc.want)
			}
		})
	}
}

func TestCredentials(t *testing.T) {
	for _, tc := range []struct {
		name, text string
		values     []string
		want       string
	}{
		{"a URL's query", `Post "https://sts.aliyuncs.com/?AccessKeyId=LTAI&Signature=abc": refused`, nil,
			`Post "https://sts.aliyuncs.com/?` + Marker + `": refused`},
		{"name=value pairs", "SecurityToken=CAIS-token&x=1 sts_token=t1", nil, "SecurityToken=" + Marker + "&x=1 sts_token=" + Marker},
		{"JSON members", `{"AccessKeySecret": "s3cr3t", "Expiration": "2030"}`, nil, `{"AccessKeySecret":"` + Marker + `", "Expiration": "2030"}`},
		{"known values too", "the token eyJ.abc.def", []string{"eyJ.abc.def"}, "the token " + Marker},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := Credentials(tc.text, tc.values...); got != tc.want {
				t.Errorf("Credentials(%q) = %q, want %q", tc.text, got, tc.want)
			}
		})
	}
}
