import Testing
@testable import Harness

/// Parsing what Slurm's client commands print (samples from Slurm 22.05's output).
@Suite struct SlurmClientParsingTests {
    @Test func maxArraySizeFromShowConfig() {
        let text = "Configuration data as of 2026-12-03T00:47:07\nAccountingStorageBackupHost = (null)\nMaxArraySize            = 1001\nMaxJobCount             = 10000\n"
        #expect(SlurmClient.configValue("MaxArraySize", in: text) == "1001")
        #expect(SlurmClient.configValue("MaxArray", in: text) == nil)
    }

    @Test func jobIDFromParsableOutput() {
        #expect(SlurmClient.jobID(fromParsable: "12\n") == "12")
        #expect(SlurmClient.jobID(fromParsable: "12;cluster\n") == "12")
        #expect(SlurmClient.jobID(fromParsable: "") == nil)
        #expect(SlurmClient.jobID(fromParsable: "12; rm") == "12")
        #expect(SlurmClient.jobID(fromParsable: "1x2") == nil)
        #expect(SlurmClient.jobID(fromParsable: "١٢") == nil)
    }

    @Test func arrayTasksFromShowJob() {
        let text = """
            JobId=14 ArrayJobId=12 ArrayTaskId=2 JobName=optbench-smoke JobState=COMPLETED Reason=None Dependency=(null) ExitCode=0:0
            JobId=13 ArrayJobId=12 ArrayTaskId=1 JobName=optbench-smoke JobState=TIMEOUT Reason=TimeLimit Dependency=(null) ExitCode=0:15
            JobId=12 ArrayJobId=12 ArrayTaskId=3-5%1 JobName=optbench-smoke JobState=PENDING Reason=JobArrayTaskLimit Dependency=(null)
            """
        let tasks = SlurmClient.arrayTasks(fromShowJob: text)
        #expect(tasks[1] == TaskState(state: "TIMEOUT", reason: "TimeLimit"))
        #expect(tasks[2]?.state == "COMPLETED")
        #expect(tasks[5] == TaskState(state: "PENDING", reason: "JobArrayTaskLimit"))
        #expect(tasks[0] == nil)
        #expect(tasks[1]?.description == "TIMEOUT (TimeLimit)")
        #expect(tasks[2]?.description == "COMPLETED")
    }

    @Test func queuedTasksFromSqueue() {
        let tasks = SlurmClient.queuedTasks(fromSqueue: "0 RUNNING None\n1 PENDING Resources\n[2-3] PENDING Priority\nN/A PENDING Dependency\n")
        #expect(tasks[0] == TaskState(state: "RUNNING", reason: "None"))
        #expect(tasks[3]?.state == "PENDING")
        #expect(tasks.count == 4)
    }

    @Test func taskIndexExpressions() {
        #expect(SlurmClient.taskIndices("3") == [3])
        #expect(SlurmClient.taskIndices("0-2") == [0, 1, 2])
        #expect(SlurmClient.taskIndices("1,4-5%2") == [1, 4, 5])
        #expect(SlurmClient.taskIndices("[7-8]") == [7, 8])
        #expect(SlurmClient.taskIndices("5-3").isEmpty)
        #expect(SlurmClient.taskIndices("0-99999999").isEmpty)
        #expect(SlurmClient.taskIndices("N/A").isEmpty)
    }

    @Test func stateWordsAreReducedToPlainCharacters() {
        let state = TaskState(state: "TIME\u{1B}[2JOUT", reason: "a\nb\"c")
        #expect(state.state == "TIME2JOUT")
        #expect(state.reason == "abc")
        #expect(TaskState.stoppedByScheduler.contains("TIMEOUT") && !TaskState.stoppedByScheduler.contains("COMPLETED"))
    }
}
