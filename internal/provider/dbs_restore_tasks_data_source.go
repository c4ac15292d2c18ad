package provider

import (
	"context"
	"fmt"
	"math"
	"regexp"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/datasourcevalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/seed-00b4a2d9/terraform-provider-alicloud/internal/dbs"
)

var (
	_ datasource.DataSourceWithConfigure        = (*dbsRestoreTasksDataSource)(nil)
	_ datasource.DataSourceWithConfigValidators = (*dbsRestoreTasksDataSource)(nil)
	_ datasource.DataSourceWithValidateConfig   = (*dbsRestoreTasksDataSource)(nil)
)

func newDbsRestoreTasksDataSource() datasource.DataSource { return &dbsRestoreTasksDataSource{} }

type dbsRestoreTasksDataSource struct {
	data *providerData
}

// dbsRestoreTasksDataSourceModel is the data source's configuration and state. `tasks` stays a
// types.List: its objects are built from restoreTaskAttributes rather than from a 37-field struct.
type dbsRestoreTasksDataSourceModel struct {
	BackupPlanID   types.String `tfsdk:"backup_plan_id"`
	IDs            types.List   `tfsdk:"ids"`
	StartTimestamp types.Int64  `tfsdk:"start_timestamp"`
	EndTimestamp   types.Int64  `tfsdk:"end_timestamp"`
	StartTime      types.String `tfsdk:"start_time"`
	EndTime        types.String `tfsdk:"end_time"`
	ClientToken    types.String `tfsdk:"client_token"`
	PageSize       types.Int64  `tfsdk:"page_size"`
	PageNumber     types.Int64  `tfsdk:"page_number"`
	Status         types.String `tfsdk:"status"`
	NameRegex      types.String `tfsdk:"name_regex"`
	OutputFile     types.String `tfsdk:"output_file"`
	Names          types.List   `tfsdk:"names"`
	TotalCount     types.Int64  `tfsdk:"total_count"`
	Tasks          types.List   `tfsdk:"tasks"`
}

const defaultPageSize = 100

// dbsRestoreTasksTypeName is the data source's type name, which Metadata declares and the protocol
// server (protocol_server.go) intercepts.
const dbsRestoreTasksTypeName = providerTypeName + "_dbs_restore_tasks"

func (d *dbsRestoreTasksDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = dbsRestoreTasksTypeName
}

func (d *dbsRestoreTasksDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = dbsRestoreTasksSchema()
}

func dbsRestoreTasksSchema() schema.Schema {
	taskAttrs := make(map[string]schema.Attribute, len(restoreTaskAttributes)+1)
	taskAttrs["id"] = schema.StringAttribute{Computed: true, MarkdownDescription: "ID of the restore job (the same as `restore_task_id`)."}
	for _, a := range restoreTaskAttributes {
		switch a.field.Kind {
		case dbs.KindInteger:
			taskAttrs[a.name] = schema.Int64Attribute{Computed: true, MarkdownDescription: a.description + " Null when the API does not send it."}
		default:
			taskAttrs[a.name] = schema.StringAttribute{Computed: true, MarkdownDescription: a.description + " Null when the API does not send it."}
		}
	}
	return schema.Schema{
		MarkdownDescription: "Reads the restore jobs of Alibaba Cloud Database Backup Service (DBS) through `DescribeRestoreTaskList`, " +
			"every page of them, with every field the API returns. Fields the API leaves out are `null`. " +
			"Without a match, `tasks`, `ids` and `names` are empty lists.",
		Attributes: map[string]schema.Attribute{
			"backup_plan_id": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "Read the restore jobs of this backup plan (`BackupPlanId`); not empty. Conflicts with `ids`.",
				Validators:          []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"ids": schema.ListAttribute{
				ElementType: types.StringType,
				Optional:    true,
				Computed:    true,
				MarkdownDescription: "Restore job IDs to read (`RestoreTaskId`), each not empty and without commas or white space. Conflicts with `backup_plan_id`. " +
					"An empty list (`ids = []`, e.g. from an empty variable) asks about no job: `tasks`, `ids` and `names` are empty, " +
					"`total_count` is `0`, and no request is sent. IDs that name no job are left out of `tasks`, and the read warns with them. " +
					"An ID given twice is asked for once; the IDs are sent in batches of at most 50 (and 1,500 characters) per request. " +
					"After the read: the IDs of the jobs in `tasks`, in the same order, which is the order the IDs were given in " +
					"(the first time each appears), for any number of IDs.",
				Validators: []validator.List{listvalidator.NoNullValues(), listvalidator.ValueStringsAre(
					stringvalidator.LengthAtLeast(1),
					stringvalidator.RegexMatches(regexp.MustCompile(`^[^,\s]+$`), "must not contain commas or spaces"),
				)},
			},
			"start_timestamp": schema.Int64Attribute{
				Optional: true,
				MarkdownDescription: "Start of the time range, UNIX time in milliseconds (`StartTimestamp`), `0` or more. " +
					"A value above `0` and below `100000000000` (1973 in milliseconds) is most likely in seconds, and is warned about. Conflicts with `start_time`.",
				Validators: []validator.Int64{int64validator.AtLeast(0)},
			},
			"end_timestamp": schema.Int64Attribute{
				Optional: true,
				MarkdownDescription: "End of the time range, UNIX time in milliseconds (`EndTimestamp`), `0` or more. " +
					"A value above `0` and below `100000000000` (1973 in milliseconds) is most likely in seconds, and is warned about. Conflicts with `end_time`.",
				Validators: []validator.Int64{int64validator.AtLeast(0)},
			},
			"start_time": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "Start of the time range as an RFC 3339 time from 1970 on, e.g. `2026-01-02T15:04:05Z` or `timeadd(plantimestamp(), \"-24h\")`; " +
					"sent as `StartTimestamp` in milliseconds (fractions of a millisecond are dropped). Conflicts with `start_timestamp`.",
				Validators: []validator.String{rfc3339Validator{}},
			},
			"end_time": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "End of the time range as an RFC 3339 time from 1970 on; sent as `EndTimestamp` in milliseconds " +
					"(fractions of a millisecond are dropped). Conflicts with `end_timestamp`.",
				Validators: []validator.String{rfc3339Validator{}},
			},
			"client_token": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "Idempotence token sent as `ClientToken`. The same token is sent with every page and every retry of the read; " +
					"it does not change which restore jobs are listed.",
			},
			"page_size": schema.Int64Attribute{
				Optional:            true,
				MarkdownDescription: fmt.Sprintf("Restore jobs asked for in each request, `1`–`100`. Default `%d`.", defaultPageSize),
				Validators:          []validator.Int64{int64validator.Between(1, 100)},
			},
			"page_number": schema.Int64Attribute{
				Optional: true,
				MarkdownDescription: fmt.Sprintf("Read only this page (pages count from `0`), `0`–`%d`, instead of every page. ", math.MaxInt32) +
					"`status` and `name_regex` still filter it. A page past the last one is empty, and the read warns with the number of pages.",
				Validators: []validator.Int64{int64validator.Between(0, math.MaxInt32)},
			},
			"status": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "Keep only the restore jobs whose `restore_status` equals this value exactly, case included (filtered by the provider, after the read). " +
					"The API writes statuses in lower case, e.g. `running` or `stop`, and the set is open. " +
					"When it keeps none of the jobs read, the read warns and lists the statuses it saw.",
			},
			"name_regex": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "Keep only the restore jobs whose `restore_task_name` matches this [RE2](https://github.com/google/re2/wiki/Syntax) regular expression (filtered by the provider, after `status`). " +
					"It matches anywhere in the name and is case-sensitive: anchor it with `^` and `$`, and add `(?i)` to ignore case. Jobs without a name do not match. " +
					"When it keeps none of the jobs read, the read warns.",
				Validators: []validator.String{regexValidator{}},
			},
			"output_file": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "Write `tasks` to this file (a path, not empty) as a JSON array of objects with the same keys (absent fields `null`). " +
					"The file is written whole or not at all, readable by its owner only (mode `0600`). Its directory must exist. " +
					"A relative path is resolved against the directory Terraform runs in (the one `-chdir` names). " +
					"The file is written whenever the data source is read, so by `terraform plan` as well as `apply`.",
				Validators: []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"names": schema.ListAttribute{
				ElementType:         types.StringType,
				Computed:            true,
				MarkdownDescription: "`names[i]` is the name of the job `ids[i]`; `null` where the API gives none.",
			},
			"total_count": schema.Int64Attribute{
				Computed: true,
				MarkdownDescription: "The number of restore jobs the query matched, before `status` and `name_regex` filter them: the API's count (`TotalElements`), " +
					"which the provider checks against the jobs it reads, so that without `page_number` it is the number of jobs read. " +
					"With `ids` sent in several batches, the sum of the batches' counts. With `page_number`, the API's count for the whole query, not only that page.",
			},
			"tasks": schema.ListNestedAttribute{
				Computed: true,
				MarkdownDescription: "The restore jobs, each once: in the API's order, or, with `ids`, in the order of `ids`. " +
					"A job the API lists twice in one read (as when jobs are created while the pages are read) is never dropped: " +
					"the listing is read again from its first page (with `page_number`, that page), up to 3 times, and if the API still repeats a job the read fails, naming it; " +
					"the same holds for every `page_size`. A job without a `RestoreTaskId` fails the read. " +
					"Every field of `RestoreTaskDetail` under its snake_case name; a field the API leaves out is `null`.",
				NestedObject: schema.NestedAttributeObject{Attributes: taskAttrs},
			},
		},
	}
}

func (d *dbsRestoreTasksDataSource) ConfigValidators(context.Context) []datasource.ConfigValidator {
	return []datasource.ConfigValidator{
		datasourcevalidator.Conflicting(path.MatchRoot("backup_plan_id"), path.MatchRoot("ids")),
		datasourcevalidator.Conflicting(path.MatchRoot("start_timestamp"), path.MatchRoot("start_time")),
		datasourcevalidator.Conflicting(path.MatchRoot("end_timestamp"), path.MatchRoot("end_time")),
	}
}

// ValidateConfig refuses a time range that ends before it starts, which the API would answer with nothing.
func (d *dbsRestoreTasksDataSource) ValidateConfig(ctx context.Context, req datasource.ValidateConfigRequest, resp *datasource.ValidateConfigResponse) {
	var cfg dbsRestoreTasksDataSourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	start, startKnown := rangeBound(cfg.StartTimestamp, cfg.StartTime)
	end, endKnown := rangeBound(cfg.EndTimestamp, cfg.EndTime)
	if startKnown && endKnown && start.Valid && end.Valid && end.Value < start.Value {
		at := path.Root("end_timestamp")
		if !cfg.EndTime.IsNull() {
			at = path.Root("end_time")
		}
		resp.Diagnostics.AddAttributeError(at, "Invalid time range",
			fmt.Sprintf("The end of the time range (%d ms) is before its start (%d ms).", end.Value, start.Value))
	}
}

// rangeBound is a time bound in UNIX ms from either of its two spellings; known is false while a value
// is unknown, is not a time, or can be a release's stand-in for plantimestamp() during validation
// (validation then waits for it; the read refuses what is not a time from 1970 on before it gets here).
func rangeBound(ms types.Int64, rfc types.String) (dbs.Int, bool) {
	if ms.IsUnknown() || rfc.IsUnknown() {
		return dbs.Int{}, false
	}
	if !ms.IsNull() {
		return dbs.Int{Value: ms.ValueInt64(), Valid: true}, true
	}
	if !rfc.IsNull() {
		t, err := time.Parse(time.RFC3339, rfc.ValueString())
		if err != nil || validatingPlanTimestamp(rfc.ValueString()) {
			return dbs.Int{}, false
		}
		return dbs.Int{Value: t.UnixMilli(), Valid: true}, true
	}
	return dbs.Int{}, true
}

func (d *dbsRestoreTasksDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	if req.ProviderData == nil {
		return
	}
	data, ok := req.ProviderData.(*providerData)
	if !ok {
		resp.Diagnostics.AddError("Unexpected provider data",
			fmt.Sprintf("Expected *providerData, got %T. Please report this issue to the provider developers.", req.ProviderData))
		return
	}
	d.data = data
}

func (d *dbsRestoreTasksDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var cfg dbsRestoreTasksDataSourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	result, diags := readRestoreTasks(ctx, d.data, cfg)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}

	cfg.IDs, cfg.Names, cfg.Tasks = result.frameworkLists()
	cfg.TotalCount = types.Int64Value(result.totalCount)
	resp.Diagnostics.Append(resp.State.Set(ctx, &cfg)...)
}

// restoreTasksResult is a finished read: the tasks that passed every filter and the API's total.
type restoreTasksResult struct {
	tasks      []dbs.RestoreTask
	totalCount int64
}

// readRestoreTasks is the whole read behind the data source, shared by every way its state is written:
// configuration → query → every page (or one) → client-side filters → output_file.
func readRestoreTasks(ctx context.Context, data *providerData, cfg dbsRestoreTasksDataSourceModel) (*restoreTasksResult, diag.Diagnostics) {
	var diags diag.Diagnostics
	if data == nil || data.client == nil {
		diags.AddError("Unconfigured provider", "The provider was not configured before the data source was read. Please report this issue to the provider developers.")
		return nil, diags
	}
	q, diags := buildQuery(ctx, cfg)
	if diags.HasError() {
		return nil, diags
	}
	diags.Append(timestampWarnings(cfg)...)

	var listing *dbs.Listing
	var err error
	if cfg.PageNumber.IsNull() {
		listing, err = data.client.ListRestoreTasks(ctx, q)
	} else {
		listing, err = data.client.ListRestoreTasksPage(ctx, q, int(cfg.PageNumber.ValueInt64()))
	}
	if err != nil {
		diags.Append(readErrorDiagnostic(err, data.endpointFrom))
		return nil, diags
	}

	filtered, err := filterTasks(listing.Tasks, cfg.Status, cfg.NameRegex)
	if err != nil {
		diags.AddAttributeError(path.Root("name_regex"), "Invalid name_regex", err.Error())
		return nil, diags
	}
	diags.Append(listingWarnings(cfg, q, listing, filtered)...)
	tasks := filtered.kept
	if !cfg.OutputFile.IsNull() {
		if err := writeOutputFile(cfg.OutputFile.ValueString(), tasks); err != nil {
			diags.AddAttributeError(path.Root("output_file"), "Unable to write output_file", err.Error())
			return nil, diags
		}
	}
	return &restoreTasksResult{tasks: tasks, totalCount: listing.TotalElements}, diags
}

func buildQuery(ctx context.Context, cfg dbsRestoreTasksDataSourceModel) (dbs.Query, diag.Diagnostics) {
	q := dbs.Query{
		BackupPlanID: cfg.BackupPlanID.ValueString(),
		ClientToken:  cfg.ClientToken.ValueString(),
		PageSize:     int(int64Or(cfg.PageSize, defaultPageSize)),
	}
	var diags diag.Diagnostics
	if !cfg.IDs.IsNull() && !cfg.IDs.IsUnknown() {
		// Not nil even when empty: `ids = []` asks about no restore job, not about every one.
		q.RestoreTaskIDs = make([]string, 0, len(cfg.IDs.Elements()))
		diags.Append(cfg.IDs.ElementsAs(ctx, &q.RestoreTaskIDs, false)...)
	}
	// Validation lets a stand-in for plantimestamp() through (validatingPlanTimestamp); by the read, the
	// value is the user's, and a time that is not one from 1970 on must not be sent, nor dropped.
	for _, bound := range []struct {
		name  string
		value types.String
	}{{"start_time", cfg.StartTime}, {"end_time", cfg.EndTime}} {
		if bound.value.IsNull() || bound.value.IsUnknown() {
			continue
		}
		if problem := timeBoundProblem(bound.value.ValueString()); problem != "" {
			diags.AddAttributeError(path.Root(bound.name), "Invalid RFC 3339 time", problem)
		}
	}
	q.StartTimestamp, _ = rangeBound(cfg.StartTimestamp, cfg.StartTime)
	q.EndTimestamp, _ = rangeBound(cfg.EndTimestamp, cfg.EndTime)
	return q, diags
}

// filteredTasks is what the client-side filters kept: byStatus after status alone, kept after
// name_regex too. Each is the listing itself when its filter is not set.
type filteredTasks struct {
	byStatus, kept []dbs.RestoreTask
}

// filterTasks applies the client-side filters, status first. It returns new slices so that the listing
// is not changed.
func filterTasks(tasks []dbs.RestoreTask, status, nameRegex types.String) (filteredTasks, error) {
	var re *regexp.Regexp
	if !nameRegex.IsNull() {
		var err error
		if re, err = regexp.Compile(nameRegex.ValueString()); err != nil {
			return filteredTasks{}, err
		}
	}
	f := filteredTasks{byStatus: tasks, kept: tasks}
	if !status.IsNull() {
		f.byStatus = keep(tasks, func(t *dbs.RestoreTask) bool {
			return t.RestoreStatus.Valid && t.RestoreStatus.Value == status.ValueString()
		})
		f.kept = f.byStatus
	}
	if re != nil {
		f.kept = keep(f.byStatus, func(t *dbs.RestoreTask) bool {
			return t.RestoreTaskName.Valid && re.MatchString(t.RestoreTaskName.Value)
		})
	}
	return f, nil
}

func keep(tasks []dbs.RestoreTask, ok func(*dbs.RestoreTask) bool) []dbs.RestoreTask {
	kept := make([]dbs.RestoreTask, 0, len(tasks))
	for i := range tasks {
		if ok(&tasks[i]) {
			kept = append(kept, tasks[i])
		}
	}
	return kept
}

// taskObjectType is the Terraform type of one element of `tasks`.
var taskObjectType = func() types.ObjectType {
	attrTypes := make(map[string]attr.Type, len(restoreTaskAttributes)+1)
	attrTypes["id"] = types.StringType
	for _, a := range restoreTaskAttributes {
		if a.field.Kind == dbs.KindInteger {
			attrTypes[a.name] = types.Int64Type
		} else {
			attrTypes[a.name] = types.StringType
		}
	}
	return types.ObjectType{AttrTypes: attrTypes}
}()

// frameworkLists builds ids, names and tasks as framework values: the straightforward way, kept as the
// reference that the fast read path must match byte for byte.
func (r *restoreTasksResult) frameworkLists() (ids, names, tasks types.List) {
	idVals := make([]attr.Value, 0, len(r.tasks))
	nameVals := make([]attr.Value, 0, len(r.tasks))
	taskVals := make([]attr.Value, 0, len(r.tasks))
	for i := range r.tasks {
		t := &r.tasks[i]
		id := stringValue(t.RestoreTaskID)
		idVals = append(idVals, id)
		nameVals = append(nameVals, stringValue(t.RestoreTaskName))
		obj := make(map[string]attr.Value, len(restoreTaskAttributes)+1)
		obj["id"] = id
		for _, a := range restoreTaskAttributes {
			if a.field.Kind == dbs.KindInteger {
				obj[a.name] = int64Value(a.field.IntOf(t))
			} else {
				obj[a.name] = stringValue(a.field.StringOf(t))
			}
		}
		taskVals = append(taskVals, types.ObjectValueMust(taskObjectType.AttrTypes, obj))
	}
	return types.ListValueMust(types.StringType, idVals),
		types.ListValueMust(types.StringType, nameVals),
		types.ListValueMust(taskObjectType, taskVals)
}

func stringValue(s dbs.String) types.String {
	if !s.Valid {
		return types.StringNull()
	}
	return types.StringValue(s.Value)
}

func int64Value(n dbs.Int) types.Int64 {
	if !n.Valid {
		return types.Int64Null()
	}
	return types.Int64Value(n.Value)
}
