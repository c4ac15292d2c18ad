package emulator

import (
	"fmt"
	"math/rand/v2"
	"strconv"
)

// Generate returns n realistic restore tasks, the same for the same n and seed. The data set carries the
// traps a client must survive:
//   - every 7th task (index 6, 13, ...) lacks the last eleven fields, as older API versions do;
//   - every 5th task (index 3, 8, ...) lacks ErrMessage;
//   - BackupGatewayId is above 2^32, and every 11th task (index 5, 16, ...) has an odd id above 2^53
//     (9007199254740993 and up) that a float64 cannot hold;
//   - some names hold unicode, quotes, backslashes, emoji or HTML-ish characters;
//   - DestinationEndpointPort and DestinationEndpointEnableSsl are strings, as the API sends them.
//
// Tasks are spread over five backup plans (PlanIDs(seed)), RestoreTaskId is "r" followed by nine base-36
// digits, and RestoreTaskCreateTime increases strictly with the index.
func Generate(n int, seed int64) []Task {
	rng := rand.New(rand.NewPCG(uint64(seed), 0x9e3779b97f4a7c15))
	plans := PlanIDs(seed)
	idBase := 1<<45 + rng.Uint64N(1<<40) // keeps every id nine base-36 digits long
	created := int64(1_700_000_000_000) + rng.Int64N(86_400_000)
	statuses := []string{"init", "running", "stop", "pause", "check_pass", "finished"}
	regions := []string{"cn-hangzhou", "cn-shanghai", "cn-beijing", "ap-southeast-1", "eu-central-1"}
	instanceTypes := []string{"RDS", "ECS", "Express", "Agent", "DDS", "Other"}
	modes := []string{"EXIST_INSTANCE", "NEW_INSTANCE"}

	tasks := make([]Task, n)
	for i := range n {
		created += 60_000 + rng.Int64N(3_600_000)
		status := statuses[rng.IntN(len(statuses))]
		var finished int64
		if status == "finished" || status == "stop" || status == "check_pass" {
			finished = created + 1_000 + rng.Int64N(7_200_000)
		}
		progress := func() int64 {
			if status == "finished" || status == "check_pass" {
				return 100
			}
			return rng.Int64N(101)
		}
		gateway := int64(1<<32) + rng.Int64N(1<<40)
		if i%11 == 5 {
			gateway = 9007199254740993 + 2*int64(i)
		}
		host := fmt.Sprintf("10.%d.%d.%d", rng.IntN(256), rng.IntN(256), 1+rng.IntN(254))
		port := strconv.Itoa(3306 + rng.IntN(3)*1000)
		errMessage := ""
		if status == "stop" {
			errMessage = fmt.Sprintf("restore failed: table `t%d` exists", i)
		}

		t := taskBuilder{}
		t.add("RestoreStatus", status)
		t.add("FullStruAfterRestoreProgress", progress())
		t.add("CrossRoleName", "")
		t.add("RestoreDir", "")
		t.add("CrossAliyunId", "")
		t.add("RestoreObjects", fmt.Sprintf(`[{"DBName":"db_%d","Tables":["t1","t2"]}]`, i%9))
		t.add("BackupPlanId", plans[rng.IntN(len(plans))])
		t.add("DestinationEndpointRegion", regions[rng.IntN(len(regions))])
		t.add("RestoreTaskCreateTime", created)
		t.add("DestinationEndpointUserName", "restore_user")
		t.add("RestoreTaskFinishTime", finished)
		t.add("DestinationEndpointIpPort", host+":"+port)
		t.add("DestinationEndpointDatabaseName", fmt.Sprintf("db_%d", i%9))
		t.add("DestinationEndpointInstanceType", instanceTypes[rng.IntN(len(instanceTypes))])
		t.add("DestinationEndpointOracleSID", "")
		t.add("FullStruforeRestoreProgress", progress())
		t.add("ErrMessage", errMessage)
		t.add("RestoreTaskId", "r"+strconv.FormatUint(idBase+uint64(i), 36))
		t.add("FullDataRestoreProgress", progress())
		t.add("ContinuousRestoreProgress", progress())
		t.add("DestinationEndpointInstanceID", "rm-bp1"+strconv.FormatUint(rng.Uint64N(1<<50), 36))
		t.add("BackupSetId", "1ibh"+strconv.FormatUint(rng.Uint64N(1<<40), 36))
		t.add("BackupGatewayId", gateway)
		t.add("RestoreTaskName", taskName(i))
		t.add("RestoreTime", created-rng.Int64N(86_400_000))
		t.add("DestinationEndpointHost", host)
		t.add("DestinationEndpointPort", port)
		t.add("DestinationEndpointEnableSsl", strconv.FormatBool(rng.IntN(2) == 0))
		t.add("BackupGatewayIdentifier", fmt.Sprintf("GW%06d", rng.IntN(1_000_000)))
		t.add("BackupSourceOssRegion", regions[rng.IntN(len(regions))])
		t.add("RestoreDestinationMode", modes[rng.IntN(len(modes))])
		t.add("PhysicalFullBackupRecoverProgress", progress())
		t.add("PhysicalFullAndIncrementBackupRecoverProgress", progress())
		t.add("PhysicalIncrementBackupRecoverProgress", progress())
		t.add("PhysicalDatabaseOnlineProgress", progress())
		t.add("PhysicalBackupRecoverProgress", progress())

		task := Task(t)
		if i%7 == 6 {
			task = task.Without(FieldNames[LegacyFieldCount:]...)
		}
		if i%5 == 3 {
			task = task.Without("ErrMessage")
		}
		tasks[i] = task
	}
	return tasks
}

// PlanIDs returns the five backup plan ids Generate spreads its tasks over for this seed.
func PlanIDs(seed int64) []string { return planIDs(5, seed) }

// planIDs returns n backup plan ids for seed; the first five are PlanIDs(seed).
func planIDs(n int, seed int64) []string {
	rng := rand.New(rand.NewPCG(uint64(seed), 0x5851f42d4c957f2d))
	plans := make([]string, n)
	for i := range plans {
		plans[i] = "dbs" + strconv.FormatUint(1<<50+rng.Uint64N(1<<52), 36)
	}
	return plans
}

// GeneratePlans returns the tasks of a fleet of backup plans, perPlan tasks each, and the plans' ids:
// Generate(plans*perPlan, seed), the first perPlan tasks in the first plan, the next in the second, and
// so on. The plans' ids start with PlanIDs(seed).
func GeneratePlans(plans, perPlan int, seed int64) ([]Task, []string) {
	ids := planIDs(plans, seed)
	tasks := Generate(plans*perPlan, seed)
	for i := range tasks {
		tasks[i] = tasks[i].With("BackupPlanId", ids[i/perPlan])
	}
	return tasks, ids
}

func taskName(i int) string {
	switch i % 6 {
	case 1:
		return fmt.Sprintf("恢复任务-%d", i)
	case 2:
		return fmt.Sprintf(`nightly "restore" %d`, i)
	case 3:
		return fmt.Sprintf(`C:\restore\task %d`, i)
	case 4:
		return fmt.Sprintf("restore <%d> & 🚀 ünïcödé", i)
	default:
		return fmt.Sprintf("restore-%d", i)
	}
}

type taskBuilder struct{ o object }

func (b *taskBuilder) add(name string, v any) {
	b.o = append(b.o, field{name, rawJSON(v)})
}
