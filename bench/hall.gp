# bench/hall.gp - plots bench/hall.dat (written by bench/hall.py) to bench/hall.png.
# Run from bench/: gnuplot -e "title='2026-12-07'" hall.gp
# hall.dat has two blocks: index 0 chat, index 1 the baseline (--baseline; NaN rows if none).
# Columns: see the comment lines in hall.dat.
if (!exists("title")) title = ""
set terminal pngcairo size 1500,900 font "sans,10"
set output "hall.png"
set multiplot layout 2,3 title "chat: a hall of N peers in one room, each -c to the first only, on 2 cores (".title.")"
set grid
set key top left
set xlabel "peers in the room (N)"
set xrange [0:160]
set xtics (10, 50, 100, 150)
set datafile missing "NaN"
c = "chat"
b = "baseline"

set title "time to form, after the last start"
set ylabel "s"
set yrange [0:*]
plot "hall.dat" index 0 using 1:2 with linespoints lw 2 pt 7 title "last peer lists all (".c.")", \
     "hall.dat" index 0 using 1:3 with linespoints lw 1 dt 2 pt 6 title "every peer lists all (".c.")", \
     "hall.dat" index 1 using 1:2 with linespoints lw 2 pt 5 title "last peer lists all (".b.")", \
     "hall.dat" index 1 using 1:3 with linespoints lw 1 dt 2 pt 4 title "every peer lists all (".b.")", \
     10 with lines dt 2 lw 2 lc rgb "red" title "target at 100: 10 s"

set title "idle CPU per peer (% of one core)"
set ylabel "%"
plot "hall.dat" index 0 using 1:4 with linespoints lw 2 pt 7 title "median (".c.")", \
     "hall.dat" index 0 using 1:5 with linespoints lw 1 dt 2 pt 6 title "max (".c.")", \
     "hall.dat" index 1 using 1:4 with linespoints lw 2 pt 5 title "median (".b.")", \
     "hall.dat" index 1 using 1:5 with linespoints lw 1 dt 2 pt 4 title "max (".b.")", \
     0.2 with lines dt 2 lw 2 lc rgb "red" title "target at 100: 0.2 %"

set title "idle traffic sent per peer (TCP payload)"
set ylabel "bytes/s"
plot "hall.dat" index 0 using 1:6 with linespoints lw 2 pt 7 title "median (".c.")", \
     "hall.dat" index 0 using 1:7 with linespoints lw 1 dt 2 pt 6 title "max (".c.")", \
     "hall.dat" index 1 using 1:6 with linespoints lw 2 pt 5 title "median (".b.")", \
     "hall.dat" index 1 using 1:7 with linespoints lw 1 dt 2 pt 4 title "max (".b.")"

set title "memory per peer (VmRSS)"
set ylabel "MB"
plot "hall.dat" index 0 using 1:8 with linespoints lw 2 pt 7 title "median (".c.")", \
     "hall.dat" index 0 using 1:9 with linespoints lw 1 dt 2 pt 6 title "max (".c.")", \
     "hall.dat" index 1 using 1:8 with linespoints lw 2 pt 5 title "median (".b.")", \
     "hall.dat" index 1 using 1:9 with linespoints lw 1 dt 2 pt 4 title "max (".b.")", \
     16 with lines dt 2 lw 2 lc rgb "red" title "target at 100: 16 MB"

set title "fan-out: one line from the last peer to all N-1 others"
set ylabel "ms"
set logscale y
set yrange [*:*]
plot "hall.dat" index 0 using 1:10 with linespoints lw 2 pt 7 title "p50 (".c.")", \
     "hall.dat" index 0 using 1:11 with linespoints lw 2 pt 9 title "p99 (".c.")", \
     "hall.dat" index 1 using 1:10 with linespoints lw 1 dt 2 pt 5 title "p50 (".b.")", \
     "hall.dat" index 1 using 1:11 with linespoints lw 1 dt 2 pt 8 title "p99 (".b.")", \
     250 with lines dt 2 lw 2 lc rgb "red" title "target at 100: p99 250 ms"
unset logscale y

set title "fan-out: deliveries lost (never shown) and shown twice"
set ylabel "deliveries"
set yrange [0:*]
plot "hall.dat" index 0 using 1:13 with linespoints lw 2 pt 7 title "lost (".c.")", \
     "hall.dat" index 0 using 1:14 with linespoints lw 1 dt 2 pt 6 title "twice (".c.")", \
     "hall.dat" index 1 using 1:13 with linespoints lw 2 pt 5 title "lost (".b.")", \
     "hall.dat" index 1 using 1:14 with linespoints lw 1 dt 2 pt 4 title "twice (".b.")"
unset multiplot
