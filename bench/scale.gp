# bench/scale.gp - plots bench/scale.dat (written by bench/bench.py) to bench/scale.png.
# Run from bench/: gnuplot -e "title='2026-11-22'" scale.gp
# scale.dat has two blocks: index 0 rooms started with -c to all others, index 1 with -c to
# the first only (the room forms itself). Columns: see the comment lines in scale.dat.
if (!exists("title")) title = ""
set terminal pngcairo size 1200,900 font "sans,10"
set output "scale.png"
set multiplot layout 2,2 title "chat: rooms of N peers on localhost (".title.")"
set grid
set key top left
set xlabel "peers in the room (N)"
set logscale x
set xtics (2, 5, 10, 20, 40)
set xrange [1.7:47]
all = "-c to all others"
first = "-c to the first only"

set title "time until every peer hears every other (full mesh)"
set ylabel "seconds"
set yrange [0:3.5]
set key center left
plot "scale.dat" index 0 using 1:2 with linespoints lw 2 pt 7 title all, \
     "scale.dat" index 1 using 1:2 with linespoints lw 2 pt 5 title first, \
     3 with lines dt 2 lw 2 lc rgb "red" title "target for 40 peers: 3 s"

set title "peer 0 sends a burst: lines/s printed by every other peer, and lines lost"
set ylabel "lines/s"
set yrange [0:*]
set y2label "lost, % of the lines due"
set y2range [0:100]
set y2tics
set key top right
plot "scale.dat" index 0 using 1:3 with linespoints lw 2 pt 7 title "lines/s to all (".all.")", \
     "scale.dat" index 1 using 1:3 with linespoints lw 2 pt 5 title "lines/s to all (".first.")", \
     "scale.dat" index 0 using 1:10 axes x1y2 with linespoints lw 1 dt 2 pt 6 lc rgb "red" title "lost %, worst run (".all.")", \
     "scale.dat" index 1 using 1:10 axes x1y2 with linespoints lw 1 dt 2 pt 4 lc rgb "dark-red" title "lost %, worst run (".first.")"
unset y2label
unset y2tics
set key top left

set title "memory per peer"
set ylabel "kB"
plot "scale.dat" index 0 using 1:5 with linespoints lw 2 pt 7 title "VmRSS idle, median (".all.")", \
     "scale.dat" index 0 using 1:6 with linespoints lw 2 pt 5 title "VmRSS after the lines, median", \
     "scale.dat" index 0 using 1:7 with linespoints lw 2 pt 9 title "VmHWM, max", \
     "scale.dat" index 1 using 1:5 with linespoints lw 1 dt 3 pt 7 title "VmRSS idle, median (".first.")"

set title "CPU of all peers per line delivered, at 1000 lines/s"
set ylabel "µs"
plot "scale.dat" index 0 using 1:8 with linespoints lw 2 pt 7 title all, \
     "scale.dat" index 1 using 1:8 with linespoints lw 2 pt 5 title first
unset multiplot
