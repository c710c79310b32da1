" Vim filetype detection for Weft: *.weft files are filetype `weft`.
autocmd BufNewFile,BufRead *.weft setfiletype weft
