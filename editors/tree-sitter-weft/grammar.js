/**
 * @file The tree-sitter grammar of Weft, following grammar/weft.ebnf.
 * @license MIT
 */

/// <reference types="tree-sitter-cli/dsl" />
// @ts-check

// Expression levels, loosest first (grammar/weft.ebnf, "Expressions").
//
// They also decide where a statement ends. Where an expression could end a
// statement or go on (`f` before `(x)` on the next line, `a` before `-b`),
// the operator's precedence is above the statement's, so the expression goes
// on, as in Weft's parser: `f\n(x)` is one call. `return`, `yield`, `let`
// and the other statements with an optional tail are right-associative, so
// they take the tail whenever one can start.
const PREC = {
  lambda: -1,
  yield: 1,
  or: 2,
  and: 3,
  equality: 4,
  comparison: 5,
  is: 6,
  range: 7,
  additive: 8,
  multiplicative: 9,
  unary: 10,
  postfix: 11,
  method: 12,
};

/** @type {Array<[string, number]>} */
const BINARY_OPERATORS = [
  ['||', PREC.or],
  ['&&', PREC.and],
  ['==', PREC.equality],
  ['!=', PREC.equality],
  ['<', PREC.comparison],
  ['<=', PREC.comparison],
  ['>', PREC.comparison],
  ['>=', PREC.comparison],
  ['is', PREC.is],
  ['+', PREC.additive],
  ['-', PREC.additive],
  ['*', PREC.multiplicative],
  ['/', PREC.multiplicative],
  ['%', PREC.multiplicative],
];

// Every keyword. After "." (and as a method name) a keyword is an ordinary
// name: `g.throw(e)`, `x.in`.
const KEYWORDS = [
  'let', 'fn', 'async', 'await', 'yield', 'return', 'if', 'else', 'while',
  'for', 'in', 'break', 'continue', 'true', 'false', 'nil', 'try', 'catch',
  'finally', 'throw', 'spawn', 'import', 'as', 'class', 'self', 'super', 'is',
];

/**
 * Zero or more `rule`s separated by commas, with an optional trailing comma.
 * @param {RuleOrLiteral} rule
 * @returns {RuleOrLiteral}
 */
function commaSep(rule) {
  return optional(seq(rule, repeat(seq(',', rule)), optional(',')));
}

module.exports = grammar({
  name: 'weft',

  // Newlines are insignificant: a statement ends where its grammar ends.
  extras: $ => [/\s/, $.comment],

  externals: $ => [
    // `// line` and nesting `/* block */` comments.
    $.comment,
    // Literal text of a string between quotes, escapes and `${`.
    $.string_content,
    // Never produced; tells the scanner that the parser is recovering.
    $._error_sentinel,
  ],

  word: $ => $.identifier,

  supertypes: $ => [$._statement, $._expression, $._pattern],

  conflicts: $ => [
    // `{a: 1}`: a bare key, or the name `a` as a computed key.
    [$.pair, $._expression],
    // `{[k]: v}`: a computed key, or the list `[k]` used as a key.
    [$.computed_key, $.list],
  ],

  rules: {
    source_file: $ => repeat(choice($._statement, ';')),

    block: $ => seq('{', repeat(choice($._statement, ';')), '}'),

    // ---- Statements ----

    _statement: $ => choice(
      $.let_declaration,
      $.if_statement,
      $.while_statement,
      $.for_statement,
      $.return_statement,
      $.throw_statement,
      $.break_statement,
      $.continue_statement,
      $.try_statement,
      $.function_declaration,
      $.class_declaration,
      $.import_statement,
      $.assignment_statement,
      $.expression_statement,
    ),

    let_declaration: $ => prec.right(seq(
      'let',
      field('pattern', $._pattern),
      optional(seq('=', field('value', $._expression))),
    )),

    _pattern: $ => choice($.identifier, $.list_pattern),

    list_pattern: $ => seq(
      '[',
      commaSep(choice($._pattern, $.rest_pattern)),
      ']',
    ),

    rest_pattern: $ => seq('...', field('name', $.identifier)),

    if_statement: $ => prec.right(seq(
      'if',
      field('condition', $._expression),
      field('consequence', $.block),
      optional(field('alternative', $.else_clause)),
    )),

    else_clause: $ => seq('else', choice($.if_statement, $.block)),

    while_statement: $ => seq(
      'while',
      field('condition', $._expression),
      field('body', $.block),
    ),

    // One or two loop names; `for await` reads a channel or async generator.
    for_statement: $ => seq(
      'for',
      optional('await'),
      field('name', $.identifier),
      optional(seq(',', field('name', $.identifier))),
      'in',
      field('iterable', $._expression),
      field('body', $.block),
    ),

    // The operand is taken whenever an expression can start, even on the
    // next line.
    return_statement: $ => prec.right(seq('return', optional(field('value', $._expression)))),

    throw_statement: $ => seq('throw', field('value', $._expression)),

    break_statement: _ => 'break',

    continue_statement: _ => 'continue',

    try_statement: $ => prec.right(seq(
      'try',
      field('body', $.block),
      optional(field('handler', $.catch_clause)),
      optional(field('finalizer', $.finally_clause)),
    )),

    catch_clause: $ => seq(
      'catch',
      optional(field('name', $.identifier)),
      field('body', $.block),
    ),

    finally_clause: $ => seq('finally', field('body', $.block)),

    function_declaration: $ => seq(
      optional('async'),
      'fn',
      field('name', $.identifier),
      field('parameters', $.parameters),
      field('body', $.block),
    ),

    parameters: $ => seq(
      '(',
      commaSep(choice($.identifier, $.default_parameter, $.rest_parameter)),
      ')',
    ),

    default_parameter: $ => seq(
      field('name', $.identifier),
      '=',
      field('value', $._expression),
    ),

    rest_parameter: $ => seq('...', field('name', $.identifier)),

    class_declaration: $ => seq(
      'class',
      field('name', $.identifier),
      optional(seq('<', field('superclass', $._superclass))),
      field('body', $.class_body),
    ),

    // A name or a dotted path such as `mod.Base`.
    _superclass: $ => choice($.identifier, $.dotted_name),

    dotted_name: $ => seq(
      field('object', $._superclass),
      '.',
      field('property', $._member_name),
    ),

    class_body: $ => seq('{', repeat(choice($.method_definition, ';')), '}'),

    method_definition: $ => seq(
      optional('async'),
      'fn',
      field('name', $._member_name),
      field('parameters', $.parameters),
      field('body', $.block),
    ),

    import_statement: $ => prec.right(seq(
      'import',
      field('source', choice($.identifier, $.string, $.raw_string)),
      optional(seq('as', field('alias', $.identifier))),
    )),

    // The target must be a name, an index or a field; the Weft parser
    // reports any other target.
    assignment_statement: $ => seq(
      field('left', $._expression),
      field('operator', choice('=', '+=', '-=', '*=', '/=', '%=')),
      field('right', $._expression),
    ),

    expression_statement: $ => $._expression,

    // ---- Expressions ----

    _expression: $ => choice(
      $.yield_expression,
      $.binary_expression,
      $.range_expression,
      $.unary_expression,
      $.await_expression,
      $.spawn_expression,
      $.call_expression,
      $.method_call,
      $.member_expression,
      $.subscript_expression,
      $.slice_expression,
      $.lambda,
      $.parenthesized_expression,
      $.list,
      $.map,
      $.string,
      $.raw_string,
      $.integer,
      $.float,
      $.true,
      $.false,
      $.nil,
      $.self,
      $.super,
      $.identifier,
    ),

    // `yield` with no operand (before "}", ")" ...) yields nil.
    yield_expression: $ => prec.right(PREC.yield, seq(
      'yield',
      optional(field('value', $._expression)),
    )),

    binary_expression: $ => choice(
      ...BINARY_OPERATORS.map(([operator, precedence]) => prec.left(precedence, seq(
        field('left', $._expression),
        field('operator', operator),
        field('right', $._expression),
      ))),
    ),

    // `0..10` excludes the end, `0..=10` includes it. Weft rejects a chain
    // `a .. b .. c`; here it nests to the left.
    range_expression: $ => prec.left(PREC.range, seq(
      field('left', $._expression),
      field('operator', choice('..', '..=')),
      field('right', $._expression),
    )),

    unary_expression: $ => prec(PREC.unary, seq(
      field('operator', choice('-', '!')),
      field('operand', $._expression),
    )),

    await_expression: $ => prec(PREC.unary, seq('await', field('value', $._expression))),

    spawn_expression: $ => prec(PREC.unary, seq('spawn', field('value', $._expression))),

    call_expression: $ => prec(PREC.postfix, seq(
      field('function', $._expression),
      field('arguments', $.arguments),
    )),

    // `a.b(x)` is one method call, not a call of the field `a.b`.
    method_call: $ => prec(PREC.method, seq(
      field('object', $._expression),
      '.',
      field('method', $._member_name),
      field('arguments', $.arguments),
    )),

    arguments: $ => seq('(', commaSep($._expression), ')'),

    member_expression: $ => prec(PREC.postfix, seq(
      field('object', $._expression),
      '.',
      field('property', $._member_name),
    )),

    subscript_expression: $ => prec(PREC.postfix, seq(
      field('object', $._expression),
      '[',
      field('index', $._expression),
      ']',
    )),

    // `a[i:j]`; either bound may be omitted.
    slice_expression: $ => prec(PREC.postfix, seq(
      field('object', $._expression),
      '[',
      optional(field('start', $._expression)),
      ':',
      optional(field('end', $._expression)),
      ']',
    )),

    // After ".", keywords are ordinary names.
    _member_name: $ => choice(
      alias($.identifier, $.property_identifier),
      ...KEYWORDS.map(keyword => alias(keyword, $.property_identifier)),
    ),

    // `fn(x) => e` returns e; `fn(x) { ... }` has a block body.
    lambda: $ => prec.right(PREC.lambda, seq(
      optional('async'),
      'fn',
      field('parameters', $.parameters),
      choice(
        seq('=>', field('body', $._expression)),
        field('body', $.block),
      ),
    )),

    parenthesized_expression: $ => seq('(', $._expression, ')'),

    list: $ => seq('[', commaSep($._expression), ']'),

    map: $ => seq('{', commaSep($.pair), '}'),

    // A bare name key is the string of its name; `[k]` and any other
    // expression compute the key.
    pair: $ => seq(
      field('key', choice(
        prec(1, alias($.identifier, $.property_identifier)),
        $.computed_key,
        $._expression,
      )),
      ':',
      field('value', $._expression),
    ),

    computed_key: $ => prec.dynamic(1, seq('[', $._expression, ']')),

    string: $ => seq(
      '"',
      repeat(choice($.string_content, $.escape_sequence, $.interpolation)),
      token.immediate('"'),
    ),

    interpolation: $ => seq(
      token.immediate('${'),
      field('expression', $._expression),
      '}',
    ),

    escape_sequence: _ => token.immediate(seq(
      '\\',
      choice(/u\{[0-9a-fA-F]*\}/, /[^u]/),
    )),

    // `r"C:\dir"`: no escapes, no interpolation.
    raw_string: _ => token(seq('r"', /[^"]*/, '"')),

    integer: _ => token(choice(
      /0[xX][0-9a-fA-F_]+/,
      /0[bB][01_]+/,
      /[0-9][0-9_]*/,
    )),

    // Digits on both sides of the dot, so `0..10` is a range.
    float: _ => token(choice(
      /[0-9][0-9_]*\.[0-9][0-9_]*([eE][+-]?[0-9][0-9_]*)?/,
      /[0-9][0-9_]*[eE][+-]?[0-9][0-9_]*/,
    )),

    true: _ => 'true',
    false: _ => 'false',
    nil: _ => 'nil',
    self: _ => 'self',
    super: _ => 'super',

    identifier: _ => /[A-Za-z_][A-Za-z0-9_]*/,
  },
});
