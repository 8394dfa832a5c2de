import Testing
@testable import Harness

@Suite struct ProvenanceCollectorTests {
    /// Two processors of a VM that names its CPU only "AMD EPYC": the first one's
    /// identity is appended, so two generations behind one name stay apart.
    @Test func cpuDescriptionAddsFamilyModelAndSteppingOfTheFirstProcessor() {
        let cpuinfo = """
            processor\t: 0
            vendor_id\t: AuthenticAMD
            cpu family\t: 26
            model\t\t: 2
            model name\t: AMD EPYC
            stepping\t: 1

            processor\t: 1
            vendor_id\t: AuthenticAMD
            cpu family\t: 25
            model\t\t: 17
            model name\t: Another CPU
            stepping\t: 0
            """
        #expect(ProvenanceCollector.cpuDescription(cpuinfo: cpuinfo) == "AMD EPYC (family 26, model 2, stepping 1)")
    }

    @Test func cpuDescriptionIsTheNameAloneWithoutIdentityFieldsAndNilWithoutAName() {
        #expect(ProvenanceCollector.cpuDescription(cpuinfo: "processor\t: 0\nmodel name\t: Some CPU\n") == "Some CPU")
        #expect(ProvenanceCollector.cpuDescription(cpuinfo: "processor\t: 0\ncpu family\t: 6\n") == nil)
        #expect(ProvenanceCollector.cpuDescription(cpuinfo: "") == nil)
    }
}
