; Scopes, definitions and references of Weft names, for Neovim's
; nvim-treesitter (capture names @local.definition.KIND).

; Scopes: the module, every block, and each function's parameters together
; with its body.

(source_file) @local.scope

(block) @local.scope

(function_declaration) @local.scope

(method_definition) @local.scope

(lambda) @local.scope

(for_statement) @local.scope

(catch_clause) @local.scope

(class_body) @local.scope

; Definitions

(let_declaration
  pattern: (identifier) @local.definition.var)

(list_pattern
  (identifier) @local.definition.var)

(rest_pattern
  name: (identifier) @local.definition.var)

(parameters
  (identifier) @local.definition.parameter)

(default_parameter
  name: (identifier) @local.definition.parameter)

(rest_parameter
  name: (identifier) @local.definition.parameter)

(for_statement
  name: (identifier) @local.definition.var)

(catch_clause
  name: (identifier) @local.definition.var)

; A declared function's name belongs to the enclosing scope, not to the
; function's own scope: the name is marked as defined in the parent.
(function_declaration
  name: (identifier) @local.definition.function
  (#set! definition.function.scope "parent"))

(method_definition
  name: (property_identifier) @local.definition.method
  (#set! definition.method.scope "parent"))

(class_declaration
  name: (identifier) @local.definition.type)

(import_statement
  source: (identifier) @local.definition.import
  !alias)

(import_statement
  alias: (identifier) @local.definition.import)

; References

(identifier) @local.reference
