; Folding regions for Neovim's nvim-treesitter.

[
  (function_declaration)
  (method_definition)
  (class_declaration)
  (if_statement)
  (else_clause)
  (while_statement)
  (for_statement)
  (try_statement)
  (catch_clause)
  (finally_clause)
  (lambda)
  (map)
  (list)
  (arguments)
  (comment)
] @fold
