; Indentation for Neovim's nvim-treesitter: the contents of every bracketed
; group are indented one level, and the closing bracket goes back.

[
  (block)
  (class_body)
  (map)
  (list)
  (list_pattern)
  (arguments)
  (parameters)
  (parenthesized_expression)
  (computed_key)
] @indent.begin

(block
  "}" @indent.end)

(class_body
  "}" @indent.end)

(map
  "}" @indent.end)

(list
  "]" @indent.end)

(list_pattern
  "]" @indent.end)

(arguments
  ")" @indent.end)

(parameters
  ")" @indent.end)

(parenthesized_expression
  ")" @indent.end)

[
  "}"
  "]"
  ")"
] @indent.branch

; Text inside a multi-line string or comment keeps its own indentation.
(string) @indent.ignore

(raw_string) @indent.ignore

(comment) @indent.auto
