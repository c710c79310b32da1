" Vim compiler file for Weft: `:make` runs `weft check` on the current file
" and reads its reports into the quickfix list. A report looks like
"
"   error: undefined name `coutn`
"      ╭─[ path/to/file.weft:3:12 ]
"      │ ... the source line, labels and a Help: line ...
"   ───╯
"
" so an entry starts at `error:` or `warning:` and takes its file, line and
" column from the `╭─[ file:line:col ]` line that follows. The executable is
" `weft`, or g:weft_path when set.

if exists('current_compiler')
  finish
endif
let current_compiler = 'weft'

if exists(':CompilerSet') != 2
  command -nargs=* CompilerSet setlocal <args>
endif

let s:cpo_save = &cpo
set cpo&vim

execute 'CompilerSet makeprg=' . escape(get(g:, 'weft_path', 'weft'), ' \|"') . '\ check\ %:S'
CompilerSet errorformat=%Eerror:\ %m,%Wwarning:\ %m,%Z%.%#╭─[\ %f:%l:%c\ ],%-G%.%#

let &cpo = s:cpo_save
unlet s:cpo_save
