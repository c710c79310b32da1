" Vim indent file for Weft: a line is indented one 'shiftwidth' deeper than
" the line before it when that line leaves a bracket ( [ { open, and a line
" that starts with a closer ) ] } lines up with the line of its opener.
" Brackets inside strings and comments do not count (this uses the syntax
" groups of syntax/weft.vim when syntax highlighting is on), and lines inside
" a multi-line string or block comment keep their indentation.

if exists('b:did_indent')
  finish
endif
let b:did_indent = 1

setlocal indentexpr=GetWeftIndent(v:lnum)
setlocal indentkeys=0{,0},0),0],!^F,o,O,e
setlocal autoindent
setlocal nolisp
setlocal nosmartindent

let b:undo_indent = 'setlocal indentexpr< indentkeys< autoindent< lisp< smartindent<'

if exists('*GetWeftIndent')
  finish
endif
let s:cpo_save = &cpo
set cpo&vim

" Whether the character at (lnum, col) is inside a string or a comment.
function! s:Ignored(lnum, col) abort
  if !exists('b:current_syntax')
    return 0
  endif
  return synIDattr(synID(a:lnum, a:col, 0), 'name') =~#
        \ '^weft\%(String\|RawString\|Quote\|Escape\|EscapeError\|Interpolation\|InterpBraces\|Comment\|LineComment\|Todo\)'
endfunction

" The line of the opener that matches the closer at (lnum, col).
function! s:OpenerLine(lnum, col) abort
  let save = getcurpos()
  call cursor(a:lnum, a:col)
  let line = searchpair('[[({]', '', '[])}]', 'bW', 's:Ignored(line("."), col("."))')
  call setpos('.', save)
  return line
endfunction

" Whether line lnum starts inside a string or block comment that an earlier
" line opened.
function! s:StartsInside(lnum) abort
  let text = getline(a:lnum)
  let first = match(text, '\S') + 1
  return first > 0 && s:Ignored(a:lnum, first)
        \ && text[first - 1 : first] !~# '^\%(/\*\|"\|r"\|//\)'
endfunction

function! GetWeftIndent(lnum) abort
  " Inside a multi-line string or block comment: leave the line alone.
  if s:StartsInside(a:lnum)
    return -1
  endif
  " A leading closer lines up with the line of its opener.
  let text = getline(a:lnum)
  let first = match(text, '\S') + 1
  if first > 0 && text[first - 1] =~# '[])}]'
    let open = s:OpenerLine(a:lnum, first)
    return open > 0 ? indent(open) : -1
  endif

  let prev = prevnonblank(a:lnum - 1)
  if prev == 0
    return 0
  endif
  " The previous line may end a string or comment that began lines earlier:
  " count the brackets from the line where it began.
  let start = prev
  while start > 1 && s:StartsInside(start)
    let start = prevnonblank(start - 1)
  endwhile
  " Count the brackets those lines leave open; a closer of an earlier line's
  " opener makes that line the base.
  let base = indent(start)
  let depth = 0
  for lnum in range(start, prev)
    let ptext = getline(lnum)
    let col = 0
    while 1
      let col = match(ptext, '[][(){}]', col) + 1
      if col == 0
        break
      endif
      if s:Ignored(lnum, col)
        continue
      endif
      if ptext[col - 1] =~# '[[({]'
        let depth += 1
      elseif depth > 0
        let depth -= 1
      else
        let open = s:OpenerLine(lnum, col)
        if open > 0
          let base = indent(open)
        endif
      endif
    endwhile
  endfor
  return base + (depth > 0 ? shiftwidth() : 0)
endfunction

let &cpo = s:cpo_save
unlet s:cpo_save
