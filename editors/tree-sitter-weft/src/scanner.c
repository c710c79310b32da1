// The external scanner of the Weft grammar: comments (block comments nest,
// which a regular token cannot express) and the literal text of strings,
// which runs up to a quote, a backslash or a `${`.

#include "tree_sitter/parser.h"

#include <stdbool.h>

enum TokenType {
  COMMENT,
  STRING_CONTENT,
  ERROR_SENTINEL,
};

void *tree_sitter_weft_external_scanner_create(void) { return NULL; }

void tree_sitter_weft_external_scanner_destroy(void *payload) { (void)payload; }

unsigned tree_sitter_weft_external_scanner_serialize(void *payload, char *buffer) {
  (void)payload;
  (void)buffer;
  return 0;
}

void tree_sitter_weft_external_scanner_deserialize(void *payload, const char *buffer,
                                                   unsigned length) {
  (void)payload;
  (void)buffer;
  (void)length;
}

static void advance(TSLexer *lexer) { lexer->advance(lexer, false); }

static void skip(TSLexer *lexer) { lexer->advance(lexer, true); }

// String text up to `"`, `\`, `${` or the end of input. Whitespace and `//`
// inside a string are text, so this runs before any whitespace is skipped.
static bool scan_string_content(TSLexer *lexer) {
  bool has_content = false;
  for (;;) {
    lexer->mark_end(lexer);
    if (lexer->eof(lexer)) {
      break;
    }
    int32_t c = lexer->lookahead;
    if (c == '"' || c == '\\') {
      break;
    }
    advance(lexer);
    if (c == '$' && lexer->lookahead == '{') {
      // The text ends before the `$` (marked above).
      break;
    }
    has_content = true;
  }
  lexer->result_symbol = STRING_CONTENT;
  return has_content;
}

// `// to the end of the line` or `/* block */`, where block comments nest.
// An unterminated block comment runs to the end of input.
static bool scan_comment(TSLexer *lexer) {
  while (lexer->lookahead == ' ' || lexer->lookahead == '\t' || lexer->lookahead == '\n' ||
         lexer->lookahead == '\r' || lexer->lookahead == '\f') {
    skip(lexer);
  }
  if (lexer->lookahead != '/') {
    return false;
  }
  advance(lexer);
  if (lexer->lookahead == '/') {
    while (!lexer->eof(lexer) && lexer->lookahead != '\n') {
      advance(lexer);
    }
    lexer->result_symbol = COMMENT;
    lexer->mark_end(lexer);
    return true;
  }
  if (lexer->lookahead != '*') {
    return false;
  }
  advance(lexer);
  unsigned depth = 1;
  while (depth > 0 && !lexer->eof(lexer)) {
    int32_t c = lexer->lookahead;
    advance(lexer);
    if (c == '/' && lexer->lookahead == '*') {
      advance(lexer);
      depth++;
    } else if (c == '*' && lexer->lookahead == '/') {
      advance(lexer);
      depth--;
    }
  }
  lexer->result_symbol = COMMENT;
  lexer->mark_end(lexer);
  return true;
}

bool tree_sitter_weft_external_scanner_scan(void *payload, TSLexer *lexer,
                                            const bool *valid_symbols) {
  (void)payload;
  bool recovering = valid_symbols[ERROR_SENTINEL];
  if (valid_symbols[STRING_CONTENT] && !recovering) {
    int32_t c = lexer->lookahead;
    if (c != '"' && c != '\\' && !lexer->eof(lexer)) {
      if (c != '$') {
        return scan_string_content(lexer);
      }
      // `$` alone is text; `${` opens an interpolation (an internal token).
      advance(lexer);
      if (lexer->lookahead == '{') {
        return false;
      }
      bool more = scan_string_content(lexer);
      (void)more;
      lexer->result_symbol = STRING_CONTENT;
      return true;
    }
    return false;
  }
  if (valid_symbols[COMMENT]) {
    return scan_comment(lexer);
  }
  return false;
}
