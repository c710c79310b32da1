; Syntax highlighting for Weft.
;
; When several patterns match one node, the last one wins (in Neovim and in
; `tree-sitter highlight` alike), so general patterns come first and the
; ones for particular places follow.

(identifier) @variable

; Names: classes are capitalised, constants are in capitals.

((identifier) @constant
  (#match? @constant "^[A-Z][A-Z0-9_]+$"))

((identifier) @type
  (#match? @type "^[A-Z]")
  (#not-match? @type "^[A-Z][A-Z0-9_]+$"))

(comment) @comment

; Literals

(string) @string

(raw_string) @string

(escape_sequence) @string.escape

(interpolation
  [
    "${"
    "}"
  ] @punctuation.special)

(integer) @number

(float) @number.float

[
  (true)
  (false)
] @boolean

(nil) @constant.builtin

[
  (self)
  (super)
] @variable.builtin

; Definitions

(function_declaration
  name: (identifier) @function)

(method_definition
  name: (property_identifier) @function.method)

(class_declaration
  name: (identifier) @type.definition)

(class_declaration
  superclass: (identifier) @type)

(dotted_name
  property: (property_identifier) @type)

(dotted_name
  object: (identifier) @module)

(parameters
  (identifier) @variable.parameter)

(default_parameter
  name: (identifier) @variable.parameter)

(rest_parameter
  name: (identifier) @variable.parameter)

(import_statement
  source: (identifier) @module)

(import_statement
  alias: (identifier) @module)

; Calls

(call_expression
  function: (identifier) @function.call
  (#not-match? @function.call "^[A-Z]"))

(call_expression
  function: (identifier) @function.builtin
  (#any-of? @function.builtin
    "print" "eprint" "str" "repr" "int" "float" "type" "len" "range" "assert" "exit" "sleep"
    "all" "race" "timeout" "group"))

(method_call
  method: (property_identifier) @function.method.call)

(member_expression
  property: (property_identifier) @property)

(pair
  key: (property_identifier) @property)

; Keywords

[
  "let"
  "class"
] @keyword

"fn" @keyword.function

[
  "async"
  "await"
  "yield"
  "spawn"
] @keyword.coroutine

"return" @keyword.return

[
  "if"
  "else"
] @keyword.conditional

[
  "for"
  "while"
  "in"
  (break_statement)
  (continue_statement)
] @keyword.repeat

[
  "try"
  "catch"
  "finally"
  "throw"
] @keyword.exception

[
  "import"
  "as"
] @keyword.import

"is" @keyword.operator

; Operators and punctuation

[
  "+"
  "-"
  "*"
  "/"
  "%"
  "!"
  "="
  "+="
  "-="
  "*="
  "/="
  "%="
  "=="
  "!="
  "<"
  "<="
  ">"
  ">="
  "&&"
  "||"
  ".."
  "..="
  "..."
  "=>"
] @operator

[
  "("
  ")"
  "["
  "]"
] @punctuation.bracket

(block
  [
    "{"
    "}"
  ] @punctuation.bracket)

(class_body
  [
    "{"
    "}"
  ] @punctuation.bracket)

(map
  [
    "{"
    "}"
  ] @punctuation.bracket)

[
  ","
  "."
  ":"
  ";"
] @punctuation.delimiter
