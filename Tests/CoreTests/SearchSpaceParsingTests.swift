import Core
import Foundation
import Testing

@Suite struct SearchSpaceParsingTests {
    static func parse(_ text: String) throws -> SearchSpace {
        try SearchSpace.parse(JSONValue.parse(Data(text.utf8), source: "space.json"), source: "space.json")
    }

    static func error(_ text: String) -> InputError? {
        do {
            _ = try parse(text)
            return nil
        } catch let error as InputError {
            return error
        } catch {
            return nil
        }
    }

    @Test func rangesWithBothScalings() throws {
        let space = try Self.parse(#"{"learning_rate": {"min": 1e-4, "max": 1e-2, "scaling": "log"}, "weight_decay": {"min": 0, "max": 0.5, "scaling": "linear"}}"#)
        #expect(space == SearchSpace([
            "learning_rate": .range(min: 1e-4, max: 1e-2, scaling: .log),
            "weight_decay": .range(min: 0, max: 0.5, scaling: .linear),
        ]))
        #expect(space.names == ["learning_rate", "weight_decay"])
    }

    @Test func feasiblePointsMixWithRanges() throws {
        let space = try Self.parse(#"{"beta1": {"feasible_points": [0.9, 0.95]}, "learning_rate": {"min": 0.001, "max": 0.1, "scaling": "log"}}"#)
        #expect(space == SearchSpace([
            "beta1": .feasiblePoints([0.9, 0.95]),
            "learning_rate": .range(min: 0.001, max: 0.1, scaling: .log),
        ]))
    }

    @Test func listOfFixedPointsKeepsOrder() throws {
        let space = try Self.parse(#"[{"learning_rate": 0.01, "beta1": 0.9}, {"learning_rate": 0.001, "beta1": 0.99}]"#)
        #expect(space == SearchSpace(fixedPoints: [
            Hyperparameters(["learning_rate": 0.01, "beta1": 0.9]),
            Hyperparameters(["learning_rate": 0.001, "beta1": 0.99]),
        ]))
    }

    @Test func jsonFormRoundTrips() throws {
        let spaces = [
            SearchSpace(["a": .range(min: 1e-3, max: 1, scaling: .log), "b": .feasiblePoints([1, 2])]),
            SearchSpace(fixedPoints: [Hyperparameters(["a": 1]), Hyperparameters(["a": 2])]),
        ]
        for space in spaces {
            #expect(try SearchSpace.parse(space.json, source: "round trip") == space)
        }
    }

    @Test func malformedSpacesNameTheField() throws {
        #expect(Self.error(#"{"lr": {"min": 0, "max": 1, "scaling": "log"}}"#)?.field == "lr.min")
        #expect(Self.error(#"{"lr": {"min": 2, "max": 1, "scaling": "linear"}}"#)?.field == "lr")
        #expect(Self.error(#"{"lr": {"min": 1, "max": 2, "scaling": "cubic"}}"#)?.field == "lr.scaling")
        #expect(Self.error(#"{"lr": {"min": 1, "max": 2}}"#)?.field == "lr.scaling")
        #expect(Self.error(#"{"lr": {"min": 1, "max": 2, "scaling": "log", "step": 3}}"#)?.field == "lr.step")
        #expect(Self.error(#"{"lr": {"feasible_points": []}}"#)?.field == "lr.feasible_points")
        #expect(Self.error(#"{"lr": {"feasible_points": [1, "x"]}}"#)?.field == "lr.feasible_points[1]")
        #expect(Self.error(#"[{"lr": 1}, {"lr": "fast"}]"#)?.field == "[1].lr")
        #expect(Self.error(#"[]"#) != nil)
        #expect(Self.error(#"3"#)?.source == "space.json")
    }

    @Test func hyperparameterNamesFollowThePlainNameRule() {
        for bad in ["", "a b", "../lr", "lr;rm", "x\"y", "a\nb", String(repeating: "h", count: 65)] {
            let key = JSONValue.string(bad).serialized
            let ranged = Self.error(#"{"lr": {"min": 1, "max": 2, "scaling": "log"}, "# + key + #": {"min": 1, "max": 2, "scaling": "log"}}"#)
            #expect(ranged?.field == "hyperparameter names" && ranged?.source == "space.json", "\(String(describing: ranged))")
            #expect(ranged?.message.hasSuffix("found \(PlainName.escaped(bad))") == true)
            let fixed = Self.error("[{\"lr\": 1}, {\(key): 2}]")
            #expect(fixed?.field == "[1] hyperparameter names", "\(String(describing: fixed))")
        }
    }

    @Test func fixedPointsAreReadByHyperparametersParsing() throws {
        let point = try Hyperparameters(parsing: .object(["lr": .number(0.1), "beta1": .number(0.9)]), source: "--hyperparameters")
        #expect(point == Hyperparameters(["lr": 0.1, "beta1": 0.9]))
        #expect(throws: InputError(source: "--hyperparameters", field: "lr", message: "must be a finite number, found string")) {
            try Hyperparameters(parsing: .object(["lr": .string("fast")]), source: "--hyperparameters")
        }
        #expect(throws: InputError(source: "--hyperparameters", field: "", message: "must be a non-empty object of numbers, found array")) {
            try Hyperparameters(parsing: .array([]), source: "--hyperparameters")
        }
    }
}
