" Vim syntax file for Weft (*.weft), following grammar/weft.ebnf and
" LANGUAGE.md §1: nested /* */ comments, strings with escapes and ${...}
" interpolation (any expression, strings and maps included), raw strings
" r"...", and keywords that are plain names after `.` (g.throw(e), x.in).

if exists('b:current_syntax')
  finish
endif
let s:cpo_save = &cpo
set cpo&vim

syn case match

" Keywords (LANGUAGE.md §1).
syn keyword weftConditional if else
syn keyword weftRepeat      while for in break continue
syn keyword weftStatement   return yield
syn keyword weftException   try catch finally throw
syn keyword weftAsync       await spawn
syn keyword weftInclude     import as
syn keyword weftStorage     let
syn keyword weftStorage     fn nextgroup=weftFuncName skipwhite
syn keyword weftStorage     class nextgroup=weftClassName skipwhite
syn keyword weftStorageClass async
syn keyword weftOperatorWord is
syn keyword weftBoolean     true false
syn keyword weftNil         nil
syn keyword weftSelf        self super

" Built-in globals (LANGUAGE.md §5, §8, §9).
syn keyword weftBuiltin print eprint str repr int float type len range assert exit
syn keyword weftBuiltin sleep all race timeout group
syn keyword weftBuiltinClass Error TypeError ValueError ArithmeticError IndexError
syn keyword weftBuiltinClass KeyError AttributeError NameError RecursionError
syn keyword weftBuiltinClass StopIteration IOError TimeoutError CancelledError
syn keyword weftBuiltinClass ChannelClosed AssertionError
syn keyword weftBuiltinClass Channel Mutex Semaphore Event

" Declarations: `fn name`, `class Name < Base` or `< mod.Base`.
syn match weftFuncName  "\h\w*" contained
syn match weftClassName "\h\w*" contained nextgroup=weftInherit skipwhite
syn match weftInherit   "<" contained nextgroup=weftSuperclass skipwhite
syn match weftSuperclass "\h\w*\%(\s*\.\s*\h\w*\)*" contained

" Calls `name(`; keywords and built-ins above win at the same column.
syn match weftCall "\<\h\w*\ze\s*("

" After `.` any word is a member name, keywords included: the name is the
" `.`'s nextgroup, tried before keywords.
syn match weftDot "\." nextgroup=weftMember,weftMethod skipwhite
syn match weftMember "\h\w*" contained
syn match weftMethod "\h\w*\ze\s*(" contained

" Operators. The range and rest operators come after weftDot so that they
" win at a `.`.
syn match weftOperator "[-+*/%=!<>]=\=\|&&\|||\|=>"
syn match weftOperator "\.\.\.\|\.\.=\="

" Numbers: a float has digits on both sides of its dot, so `0..10` is a range
" and `1.foo` a field. Floats are defined last to win over their integer part.
syn match weftNumber "\<\d[0-9_]*\>"
syn match weftNumber "\<0[xX][0-9A-Fa-f_]\+\>"
syn match weftNumber "\<0[bB][01_]\+\>"
syn match weftFloat  "\<\d[0-9_]*\.\d[0-9_]*\%([eE][+-]\=\d[0-9_]*\)\=\>"
syn match weftFloat  "\<\d[0-9_]*[eE][+-]\=\d[0-9_]*\>"

" Strings. An unknown escape is a compile error; the known ones are defined
" after it and win.
syn match weftEscapeError "\\." contained
syn match weftEscape "\\[ntr0\\\"$]" contained
syn match weftEscape "\\u{\x\{1,6}}" contained
syn region weftString matchgroup=weftQuote start=+"+ skip=+\\\\\|\\"+ end=+"+
      \ contains=weftEscape,weftEscapeError,weftInterpolation,@Spell
syn region weftRawString matchgroup=weftQuote start=+\<r"+ end=+"+ contains=@Spell

" ${ expression }: the braces of a map inside are balanced by weftInterpBraces.
syn cluster weftExpr contains=weftConditional,weftRepeat,weftStatement,weftException,
      \weftAsync,weftStorage,weftStorageClass,weftOperatorWord,weftBoolean,weftNil,weftSelf,
      \weftBuiltin,weftBuiltinClass,weftCall,weftDot,weftOperator,weftNumber,weftFloat,
      \weftString,weftRawString,weftComment,weftLineComment,weftInterpBraces
syn region weftInterpolation matchgroup=weftInterpolationDelim start=+\${+ end=+}+
      \ contained contains=@weftExpr
syn region weftInterpBraces start=+{+ end=+}+ contained transparent contains=@weftExpr

" Comments; block comments nest.
syn keyword weftTodo TODO FIXME XXX NOTE contained
syn region weftLineComment start=+//+ end=+$+ keepend contains=weftTodo,@Spell
syn region weftComment start=+/\*+ end=+\*/+ contains=weftComment,weftTodo,@Spell fold

" Strings and comments can span lines: parse from the start (Weft files are
" small, and this is always right).
syn sync fromstart

hi def link weftConditional        Conditional
hi def link weftRepeat             Repeat
hi def link weftStatement          Statement
hi def link weftException          Exception
hi def link weftAsync              Statement
hi def link weftInclude            Include
hi def link weftStorage            Keyword
hi def link weftStorageClass       StorageClass
hi def link weftOperatorWord       Operator
hi def link weftBoolean            Boolean
hi def link weftNil                Constant
hi def link weftSelf               Identifier
hi def link weftBuiltin            Function
hi def link weftBuiltinClass       Type
hi def link weftFuncName           Function
hi def link weftClassName          Type
hi def link weftInherit            Operator
hi def link weftSuperclass         Type
hi def link weftCall               Function
hi def link weftMethod             Function
hi def link weftOperator           Operator
hi def link weftNumber             Number
hi def link weftFloat              Float
hi def link weftString             String
hi def link weftRawString          String
hi def link weftQuote              String
hi def link weftEscape             SpecialChar
hi def link weftEscapeError        Error
hi def link weftInterpolationDelim Delimiter
hi def link weftLineComment        Comment
hi def link weftComment            Comment
hi def link weftTodo               Todo

let b:current_syntax = 'weft'

let &cpo = s:cpo_save
unlet s:cpo_save
