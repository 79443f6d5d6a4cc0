## The puzzle: a container that ends with 137 and no word of its own.
ch03-cgroups --memory 32M -- tail /dev/zero; echo "exit $?"
