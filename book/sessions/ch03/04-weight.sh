for w in 1 39 100 500 10000; do ch03-cgroups --cpu-weight $w --explain -- true 2>&1 | grep cpu.weight; done
