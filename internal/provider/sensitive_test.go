package provider

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	dsschema "github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	pschema "github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// sensitiveMarker is in every value fed to the validators of Sensitive arguments; no diagnostic may hold it.
const sensitiveMarker = "sensitive-value-7f3a"

// badSensitiveValues are values that some validator of each kind refuses: not a URL, a URL of another
// scheme, spaces, line breaks, far too long, empty.
var badSensitiveValues = []string{
	sensitiveMarker,
	"ftp://" + sensitiveMarker + "@example.com/c",
	"https://" + sensitiveMarker + " x",
	"http://\n" + sensitiveMarker,
	strings.Repeat(sensitiveMarker, 300),
	"",
}

// sensitiveAttribute is a Sensitive string argument and its validators, found by walking a schema.
type sensitiveAttribute struct {
	path       path.Path
	validators []validator.String
}

// TestSensitiveArgumentsNeverQuoted walks the schemas of the provider and of every data source, and feeds
// each validator of every Sensitive argument values it refuses: no diagnostic may quote the value. A new
// Sensitive argument, or a new validator on one, is covered without changing this test; a Sensitive
// argument of a type this test cannot feed fails it, so that it is not skipped unseen.
func TestSensitiveArgumentsNeverQuoted(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	var found []sensitiveAttribute
	var unchecked []string

	p := New("test")()
	var ps provider.SchemaResponse
	p.Schema(ctx, provider.SchemaRequest{}, &ps)
	walkProviderSchema(path.Empty(), ps.Schema.Attributes, ps.Schema.Blocks, &found, &unchecked)
	for _, newDataSource := range p.DataSources(ctx) {
		ds := newDataSource()
		var meta datasource.MetadataResponse
		ds.Metadata(ctx, datasource.MetadataRequest{ProviderTypeName: "alicloud"}, &meta)
		var s datasource.SchemaResponse
		ds.Schema(ctx, datasource.SchemaRequest{}, &s)
		walkDataSourceSchema(path.Root(meta.TypeName), s.Schema.Attributes, s.Schema.Blocks, &found, &unchecked)
	}
	for _, u := range unchecked {
		t.Errorf("%s is Sensitive with validators of a type this test does not feed: extend it", u)
	}
	if len(found) == 0 {
		t.Fatal("no Sensitive argument with validators found: the walk is broken")
	}

	for _, a := range found {
		refused := false
		for _, v := range badSensitiveValues {
			for _, val := range a.validators {
				req := validator.StringRequest{Path: a.path, PathExpression: a.path.Expression(), ConfigValue: types.StringValue(v)}
				var resp validator.StringResponse
				val.ValidateString(ctx, req, &resp)
				for _, d := range resp.Diagnostics {
					refused = true
					text := d.Summary() + "\n" + d.Detail()
					if strings.Contains(text, sensitiveMarker) || (len(v) >= 4 && strings.Contains(text, v)) {
						t.Errorf("%s: %T quotes the refused value:\n%.300s", a.path, val, text)
					}
				}
			}
		}
		if !refused {
			t.Errorf("%s: none of the test's values was refused, so this test checks nothing for it: add one its validators refuse", a.path)
		}
	}
	names := make([]string, 0, len(found))
	for _, a := range found {
		names = append(names, a.path.String())
	}
	sort.Strings(names)
	t.Logf("checked: %s", strings.Join(names, ", "))
}

func walkProviderSchema(at path.Path, attrs map[string]pschema.Attribute, blocks map[string]pschema.Block, found *[]sensitiveAttribute, unchecked *[]string) {
	for name, a := range attrs {
		if !a.IsSensitive() {
			continue
		}
		switch s := a.(type) {
		case pschema.StringAttribute:
			if len(s.Validators) > 0 {
				*found = append(*found, sensitiveAttribute{path: at.AtName(name), validators: s.Validators})
			}
		default:
			*unchecked = append(*unchecked, fmt.Sprintf("%s (%T)", at.AtName(name), a))
		}
	}
	for name, b := range blocks {
		switch s := b.(type) {
		case pschema.SingleNestedBlock:
			walkProviderSchema(at.AtName(name), s.Attributes, s.Blocks, found, unchecked)
		default:
			*unchecked = append(*unchecked, fmt.Sprintf("block %s (%T)", at.AtName(name), b))
		}
	}
}

func walkDataSourceSchema(at path.Path, attrs map[string]dsschema.Attribute, blocks map[string]dsschema.Block, found *[]sensitiveAttribute, unchecked *[]string) {
	for name, a := range attrs {
		if !a.IsSensitive() {
			continue
		}
		switch s := a.(type) {
		case dsschema.StringAttribute:
			if len(s.Validators) > 0 {
				*found = append(*found, sensitiveAttribute{path: at.AtName(name), validators: s.Validators})
			}
		default:
			*unchecked = append(*unchecked, fmt.Sprintf("%s (%T)", at.AtName(name), a))
		}
	}
	for name, b := range blocks {
		switch s := b.(type) {
		case dsschema.SingleNestedBlock:
			walkDataSourceSchema(at.AtName(name), s.Attributes, s.Blocks, found, unchecked)
		default:
			*unchecked = append(*unchecked, fmt.Sprintf("block %s (%T)", at.AtName(name), b))
		}
	}
}
