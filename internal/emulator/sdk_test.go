package emulator

import (
	"net/http"
	"strings"
	"testing"

	openapi "github.com/alibabacloud-go/darabonba-openapi/v2/client"
	"github.com/alibabacloud-go/tea/dara"
)

// The official SDKs send, besides an action's own parameters, the caller parameters their request models
// carry (DBS's DescribeRestoreTaskListRequest has OwnerId; many products' models have OwnerAccount,
// ResourceOwnerId and ResourceOwnerAccount too) and parameters of their own (RegionId, SignatureType,
// x-acs-* headers). A user who points an SDK-based tool at the emulator must get an answer, not
// InvalidParameter.

// callerParams are the caller parameters as SDK request models name them, with the values a user sets.
var callerParams = map[string]string{
	"OwnerId": "1234567890123456", "OwnerAccount": "dbs-admin",
	"ResourceOwnerId": "1234567890123456", "ResourceOwnerAccount": "dbs-admin",
}

// darabonba-openapi is the client every current Alibaba Cloud Go SDK is generated on, the DBS SDK
// (dbs-20190306) included: its DescribeRestoreTaskList is CallApi with these params and the request's
// fields in the query. By default CallApi signs with ACS3-HMAC-SHA256; SignatureAlgorithm "v2" makes it
// sign with RPC signature 1.0. With a security token it adds x-acs-accesskey-id and x-acs-security-token
// (ACS3) or SecurityToken (RPC).
func TestOfficialSDK_darabonbaOpenAPI(t *testing.T) {
	tasks := Generate(40, 3)
	s, base := newTestServer(t, tasks)
	s.AddRole(testRole, Role{})
	endpoint := strings.TrimPrefix(base, "http://")

	for _, tc := range []struct {
		name, algorithm, ak, secret, token, signing string
	}{
		{"ACS3", "", testAK, testSecret, "", SigningACS3},
		{"ACS3 with a security token", "", stsAK, stsSecret, stsToken, SigningACS3},
		{"RPC", "v2", testAK, testSecret, "", SigningRPC},
		{"RPC with a security token", "v2", stsAK, stsSecret, stsToken, SigningRPC},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := &openapi.Config{
				AccessKeyId: dara.String(tc.ak), AccessKeySecret: dara.String(tc.secret),
				Endpoint: dara.String(endpoint), Protocol: dara.String("http"), RegionId: dara.String("cn-hangzhou"),
			}
			if tc.token != "" {
				cfg.SecurityToken = dara.String(tc.token)
			}
			if tc.algorithm != "" {
				cfg.SignatureAlgorithm = dara.String(tc.algorithm)
			}
			client, err := openapi.NewClient(cfg)
			if err != nil {
				t.Fatal(err)
			}
			query := map[string]*string{"PageNum": dara.String("1"), "PageSize": dara.String("10"), "ClientToken": dara.String("ct-" + tc.name)}
			for k, v := range callerParams {
				query[k] = dara.String(v)
			}
			s.Reset()
			out, err := client.CallApi(rpcParams("DescribeRestoreTaskList", DBSVersion), &openapi.OpenApiRequest{Query: query}, &dara.RuntimeOptions{})
			if err != nil {
				t.Fatalf("DescribeRestoreTaskList: %v", err)
			}
			body, _ := out["body"].(map[string]any)
			items, _ := body["Items"].(map[string]any)
			list, _ := items["RestoreTaskDetail"].([]any)
			if body["Success"] != true || len(list) != 10 {
				t.Fatalf("answer %v", out)
			}
			if id := list[0].(map[string]any)["RestoreTaskId"]; id != tasks[10].ID() {
				t.Errorf("page 1 starts with %v, want %s", id, tasks[10].ID())
			}
			log := s.Requests()
			if len(log) != 1 || log[0].Signing != tc.signing || log[0].SecurityToken != (tc.token != "") ||
				len(log[0].Params) != 3 || log[0].Params["ClientToken"] != "ct-"+tc.name {
				t.Errorf("request log %+v", log)
			}

			// AssumeRole as the STS SDK (sts-20150401) sends it.
			out, err = client.CallApi(rpcParams("AssumeRole", STSVersion), &openapi.OpenApiRequest{Query: map[string]*string{
				"RoleArn": dara.String(testRole), "RoleSessionName": dara.String("sdk"), "DurationSeconds": dara.String("900"),
			}}, &dara.RuntimeOptions{})
			if err != nil {
				t.Fatalf("AssumeRole: %v", err)
			}
			body, _ = out["body"].(map[string]any)
			if creds, _ := body["Credentials"].(map[string]any); creds["AccessKeyId"] == nil {
				t.Errorf("AssumeRole answered %v", out)
			}
		})
	}
}

// rpcParams are the params of an RPC-style action as the generated SDKs pass them to CallApi.
func rpcParams(action, version string) *openapi.Params {
	return &openapi.Params{
		Action: dara.String(action), Version: dara.String(version), Protocol: dara.String("HTTPS"), Pathname: dara.String("/"),
		Method: dara.String("POST"), AuthType: dara.String("AK"), Style: dara.String("RPC"),
		ReqBodyType: dara.String("formData"), BodyType: dara.String("json"),
	}
}

// alibaba-cloud-sdk-go (v1.63.107) is 175 MB, too much to download for one test, so its request is
// replayed: requests.NewCommonRequest with ProcessCommonRequest sends this, recorded from the SDK itself.
//
//	POST /?AccessKeyId=ak&Action=DescribeRestoreTaskList&Format=JSON&OwnerId=123&PageSize=10&RegionId=cn-hangzhou
//	      [&SecurityToken=tok]&Signature=…&SignatureMethod=HMAC-SHA1&SignatureNonce=…&SignatureType=
//	      &SignatureVersion=1.0&Timestamp=2006-01-02T15:04:05Z&Version=2019-03-06
//	Content-Type: application/x-www-form-urlencoded
//	X-Acs-Action: DescribeRestoreTaskList
//	X-Acs-Version: 2019-03-06
//	X-Acs-Credentials-Provider: static_ak (static_sts with a token)
//	X-Sdk-Client: golang/1.0.0
//	X-Sdk-Invoke-Type: common
//
// with an empty body. SignatureType is sent, and signed, with an empty value.
func TestOfficialSDK_alibabaCloudSDKGo(t *testing.T) {
	tasks := Generate(40, 4)
	s, base := newTestServer(t, tasks)
	for _, tc := range []struct{ name, ak, secret, token, provider string }{
		{"access key", testAK, testSecret, "", "static_ak"},
		{"security token", stsAK, stsSecret, stsToken, "static_sts"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			params := vals("PageSize", "10", "RegionId", "cn-hangzhou", "SignatureType", "")
			for k, v := range callerParams {
				params.Set(k, v)
			}
			s.Reset()
			r := send(t, base, req{method: http.MethodPost, rpc: true, params: params, ak: tc.ak, secret: tc.secret, token: tc.token,
				tamper: func(r *http.Request) {
					r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
					r.Header.Set("X-Acs-Action", "DescribeRestoreTaskList")
					r.Header.Set("X-Acs-Version", DBSVersion)
					r.Header.Set("X-Acs-Credentials-Provider", tc.provider)
					r.Header.Set("X-Sdk-Client", "golang/1.0.0")
					r.Header.Set("X-Sdk-Invoke-Type", "common")
				}})
			if r.status != 200 || r.body["Success"] != true {
				t.Fatalf("status %d: %s", r.status, r.raw)
			}
			if got := r.items(t); len(got) != 10 || got[0] != tasks[0].ID() {
				t.Errorf("items %v", got)
			}
			if log := s.Requests(); len(log) != 1 || len(log[0].Params) != 1 || log[0].Params["PageSize"] != "10" {
				t.Errorf("request log %+v", log)
			}
		})
	}
}

// AssumeRoleWithOIDC is not signed (AuthType Anonymous): by default darabonba-openapi then names the action
// and version in x-acs-action and x-acs-version headers only, as ACS3 does, and RPC 1.0 names them in the
// query.
func TestOfficialSDK_darabonbaAssumeRoleWithOIDC(t *testing.T) {
	s, base := newTestServer(t, nil)
	s.AddRole(testRole, Role{OIDCProviderArn: testProvider, OIDCToken: testOIDC})
	for _, algorithm := range []string{"", "v2"} {
		cfg := &openapi.Config{Endpoint: dara.String(strings.TrimPrefix(base, "http://")), Protocol: dara.String("http")}
		if algorithm != "" {
			cfg.SignatureAlgorithm = dara.String(algorithm)
		}
		client, err := openapi.NewClient(cfg)
		if err != nil {
			t.Fatal(err)
		}
		params := rpcParams(assumeRoleWithOIDCAction, STSVersion)
		params.AuthType = dara.String("Anonymous")
		out, err := client.CallApi(params, &openapi.OpenApiRequest{Query: map[string]*string{
			"RoleArn": dara.String(testRole), "OIDCProviderArn": dara.String(testProvider), "OIDCToken": dara.String(testOIDC),
			"RoleSessionName": dara.String("sdk-oidc"),
		}}, &dara.RuntimeOptions{})
		if err != nil {
			t.Fatalf("SignatureAlgorithm %q: %v", algorithm, err)
		}
		body, _ := out["body"].(map[string]any)
		if creds, _ := body["Credentials"].(map[string]any); creds["AccessKeyId"] == nil {
			t.Errorf("SignatureAlgorithm %q: AssumeRoleWithOIDC answered %v", algorithm, out)
		}
	}
}
