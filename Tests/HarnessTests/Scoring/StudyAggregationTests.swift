import Testing
@testable import Harness

@Suite struct StudyAggregationTests {
    @Test func fastestIgnoresMissesAndNaN() {
        #expect(StudyAggregation.fastest([3, .infinity, 2, .nan]) == 2)
        #expect(StudyAggregation.fastest([.infinity, .nan]) == .infinity)
        #expect(StudyAggregation.fastest([]) == .infinity)
    }

    @Test func medianCountsMissedStudiesAsInfinite() {
        #expect(StudyAggregation.median([5, 1, 3]) == 3)
        #expect(StudyAggregation.median([1, .infinity, 2]) == 2)
        #expect(StudyAggregation.median([1, .infinity, .infinity]) == .infinity)
        #expect(StudyAggregation.median([4, 2]) == 3)
        #expect(StudyAggregation.median([2, .infinity]) == .infinity)
        #expect(StudyAggregation.median([.nan, 1, 2]) == 2)
        #expect(StudyAggregation.median([]) == .infinity)
    }

    @Test func fastestPerStudyGroupsByStudy() {
        let values = StudyAggregation.fastestPerStudy([(0, 5), (1, 2), (0, 3), (1, .infinity), (2, .infinity)])
        #expect(values == [3, 2, .infinity])
    }
}
