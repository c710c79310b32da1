" Vim filetype plugin for Weft: comments, 4-space indentation, `gf` on
" imports, and `:make` with `weft check` (compiler/weft.vim).

if exists('b:did_ftplugin')
  finish
endif
let b:did_ftplugin = 1

let s:cpo_save = &cpo
set cpo&vim

setlocal commentstring=//\ %s
setlocal comments=s1:/*,mb:*,ex:*/,://
setlocal formatoptions-=t formatoptions+=croql
setlocal shiftwidth=4 softtabstop=4 expandtab
setlocal suffixesadd=.weft
setlocal iskeyword=@,48-57,_
" `import "./util.weft"` names a file relative to the importing one.
setlocal includeexpr=substitute(v:fname,'^\\./','','')

compiler weft

let b:undo_ftplugin = 'setlocal commentstring< comments< formatoptions< shiftwidth<'
      \ . ' softtabstop< expandtab< suffixesadd< iskeyword< includeexpr<'
      \ . ' | setlocal makeprg< errorformat<'

let &cpo = s:cpo_save
unlet s:cpo_save
