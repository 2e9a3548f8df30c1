import MeshRuleFiles

/// A rule file that cannot be loaded, pointing at file, line, rule and field:
/// `Rules/review.yaml:14: rule "size.artifact": field "max_bytes": expected a size like 1048576 or 1MiB, got "big"`.
public typealias ReviewRulesError = RuleFileError
