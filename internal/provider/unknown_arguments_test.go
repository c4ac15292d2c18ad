package provider

import (
	"context"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// argumentPaths lists every argument of the provider's schema, blocks and their attributes alike, by
// walking its type: an argument added to the schema is listed without a word here.
func argumentPaths(typ tftypes.Object, at []string) [][]string {
	var paths [][]string
	for name, t := range typ.AttributeTypes {
		p := append(slices.Clone(at), name)
		paths = append(paths, p)
		if obj, ok := t.(tftypes.Object); ok {
			paths = append(paths, argumentPaths(obj, p)...)
		}
	}
	return paths
}

// configWith is a provider configuration of type typ with every argument null except those of set,
// by their paths; the blocks on the way to one are present.
func configWith(typ tftypes.Object, set map[string]tftypes.Value, prefix string) tftypes.Value {
	values := map[string]tftypes.Value{}
	for name, t := range typ.AttributeTypes {
		at := prefix + name
		switch obj, isObject := t.(tftypes.Object); {
		case set[at] != (tftypes.Value{}):
			values[name] = set[at]
		case isObject && slices.ContainsFunc(slices.Collect(maps.Keys(set)), func(k string) bool { return strings.HasPrefix(k, at+".") }):
			values[name] = configWith(obj, set, at+".")
		default:
			values[name] = tftypes.NewValue(t, nil)
		}
	}
	return tftypes.NewValue(typ, values)
}

// configureWith runs Configure, reading env, on the configuration with the values of set (see
// configWith), and returns its diagnostics whole.
func configureWith(t *testing.T, env testEnv, set func(typ tftypes.Object) map[string]tftypes.Value) diag.Diagnostics {
	t.Helper()
	ctx := context.Background()
	p := env.provider()
	var sresp provider.SchemaResponse
	p.Schema(ctx, provider.SchemaRequest{}, &sresp)
	typ := sresp.Schema.Type().TerraformType(ctx).(tftypes.Object)
	var resp provider.ConfigureResponse
	p.Configure(ctx, provider.ConfigureRequest{Config: tfsdk.Config{Schema: sresp.Schema, Raw: configWith(typ, set(typ), "")}}, &resp)
	return resp.Diagnostics
}

func typeAt(typ tftypes.Object, p []string) tftypes.Type {
	var t tftypes.Type = typ
	for _, name := range p {
		t = t.(tftypes.Object).AttributeTypes[name]
	}
	return t
}

// TestProvider_everyUnknownArgumentRefused: every argument of the schema, attribute or block, at any depth,
// is refused when its value is known only after apply, on its own path and with nothing else said.
func TestProvider_everyUnknownArgumentRefused(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	var sresp provider.SchemaResponse
	(&alicloudProvider{}).Schema(ctx, provider.SchemaRequest{}, &sresp)
	paths := argumentPaths(sresp.Schema.Type().TerraformType(ctx).(tftypes.Object), nil)
	if len(paths) < 20 {
		t.Fatalf("only %d arguments found in the schema: the walk is broken", len(paths))
	}
	for _, p := range paths {
		name := strings.Join(p, ".")
		t.Run(name, func(t *testing.T) {
			diags := configureWith(t, testEnv{}, func(typ tftypes.Object) map[string]tftypes.Value {
				return map[string]tftypes.Value{name: tftypes.NewValue(typeAt(typ, p), tftypes.UnknownValue)}
			})
			want := path.Empty()
			for _, step := range p {
				want = want.AtName(step)
			}
			if len(diags) != 1 || diags.ErrorsCount() != 1 {
				t.Fatalf("want one error, got %d diagnostics: %v", len(diags), diags)
			}
			d, ok := diags[0].(diag.DiagnosticWithPath)
			if !ok || !d.Path().Equal(want) || d.Summary() != "Unknown provider argument" || !strings.Contains(d.Detail(), " "+name+" depends on") {
				t.Errorf("want \"Unknown provider argument\" at %s, got %v", want, diags[0])
			}
		})
	}
}

// TestProvider_unknownArgumentsInOrder: with every attribute unknown, each is reported, in the order of
// the paths, the same on every run.
func TestProvider_unknownArgumentsInOrder(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	var sresp provider.SchemaResponse
	(&alicloudProvider{}).Schema(ctx, provider.SchemaRequest{}, &sresp)
	var leaves []string
	for _, p := range argumentPaths(sresp.Schema.Type().TerraformType(ctx).(tftypes.Object), nil) {
		if _, isBlock := typeAt(sresp.Schema.Type().TerraformType(ctx).(tftypes.Object), p).(tftypes.Object); !isBlock {
			leaves = append(leaves, strings.Join(p, "."))
		}
	}
	slices.Sort(leaves)
	for range 5 {
		diags := configureWith(t, testEnv{}, func(typ tftypes.Object) map[string]tftypes.Value {
			set := map[string]tftypes.Value{}
			for _, leaf := range leaves {
				set[leaf] = tftypes.NewValue(typeAt(typ, strings.Split(leaf, ".")), tftypes.UnknownValue)
			}
			return set
		})
		var got []string
		for _, d := range diags {
			if dp, ok := d.(diag.DiagnosticWithPath); ok {
				got = append(got, dp.Path().String())
			}
		}
		if !slices.Equal(got, leaves) || len(diags) != len(leaves) {
			t.Fatalf("diagnostics at\n%v\nwant, in this order\n%v", got, leaves)
		}
	}
}
