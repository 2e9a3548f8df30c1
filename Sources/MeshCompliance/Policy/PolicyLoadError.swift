import MeshRuleFiles

/// A pack that cannot be loaded, pointing at file, line, rule and field, rendered as
/// `Policies/secrets.yaml:22: rule "aws-access-key": field "detector": unknown detector "aws_key"; known: …`.
public typealias PolicyLoadError = RuleFileError
