package credentials

import (
	"cmp"
	"errors"
	"fmt"
	"io/fs"
	"strings"

	"github.com/aliyun/credentials-go/credentials/providers"
	"gopkg.in/ini.v1"
)

// credentialsFileProfile is the profile of the credentials file the default chain reads. The file's
// other profiles are picked by ALIBABA_CLOUD_PROFILE in the Alibaba Cloud SDKs; here that variable names
// a profile of the aliyun CLI's file, an earlier step (see Resolve).
const credentialsFileProfile = "default"

// credentialsFile builds the credentials of the "default" profile of the credentials file
// (~/.alibabacloud/credentials, an INI file), with the types credentials-go reads: access_key,
// ecs_ram_role and ram_role_arn. It is read here rather than by credentials-go so that a ram_role_arn
// profile assumes its role at this provider's STS endpoint (endpoints.sts) through the client of http.go,
// and an ecs_ram_role profile reads the metadata service as ecs_role_name does. It returns the provider
// and where its credentials come from.
func (r *resolver) credentialsFile(path string) (providers.CredentialsProvider, string, error) {
	file, err := ini.LoadSources(ini.LoadOptions{Insensitive: false}, path)
	if err != nil {
		var pathErr *fs.PathError
		if errors.As(err, &pathErr) {
			return nil, "", err
		}
		// The parser's errors quote the offending line, which may hold a secret.
		return nil, "", errors.New("it is not an INI file of [profile] sections and key = value lines")
	}
	section, err := file.GetSection(credentialsFileProfile)
	if err != nil {
		return nil, "", fmt.Errorf("it has no [%s] profile (its profiles: %s)", credentialsFileProfile, strings.Join(profileNames(file), ", "))
	}
	value := func(key string) string { return strings.TrimSpace(section.Key(key).String()) }
	kind := value("type")
	where := fmt.Sprintf("profile %q (type %s) of the credentials file %s", credentialsFileProfile, kind, path)
	r.addSecrets(value("access_key_id"), value("access_key_secret"))
	var missing []string
	need := func(keys ...string) error {
		for _, k := range keys {
			if value(k) == "" {
				missing = append(missing, k)
			}
		}
		if len(missing) > 0 {
			return fmt.Errorf("profile %q (type %s) lacks %s", credentialsFileProfile, kind, strings.Join(missing, " and "))
		}
		return nil
	}

	switch kind {
	case "access_key":
		if err := need("access_key_id", "access_key_secret"); err != nil {
			return nil, "", err
		}
		p, err := staticProvider(keySet{accessKey: value("access_key_id"), secret: value("access_key_secret")})
		return p, where, err
	case "ram_role_arn":
		if err := need("access_key_id", "access_key_secret", "role_arn"); err != nil {
			return nil, "", err
		}
		base, err := staticProvider(keySet{accessKey: value("access_key_id"), secret: value("access_key_secret")})
		if err != nil {
			return nil, "", err
		}
		p, err := r.assumeRole(base, roleSession{roleARN: value("role_arn"), sessionName: cmp.Or(value("role_session_name"), DefaultSessionName),
			policy: value("policy"), duration: DefaultSessionExpiration, endpoint: r.stsEndpoint("", false)})
		return p, fmt.Sprintf("role %s assumed with %s", value("role_arn"), where), err
	case "ecs_ram_role":
		// An empty role_name asks the instance for its role, as credentials-go does.
		return r.ecsSource(value("role_name")), where, nil
	case "":
		return nil, "", fmt.Errorf("profile %q has no type; the provider reads the types access_key, ram_role_arn and ecs_ram_role", credentialsFileProfile)
	default:
		return nil, "", fmt.Errorf("profile %q has type %q; the provider reads the types access_key, ram_role_arn and ecs_ram_role", credentialsFileProfile, kind)
	}
}

func profileNames(f *ini.File) []string {
	var names []string
	for _, s := range f.Sections() {
		if s.Name() != ini.DefaultSection {
			names = append(names, fmt.Sprintf("%q", s.Name()))
		}
	}
	if len(names) == 0 {
		return []string{"none"}
	}
	return names
}
