# Shared by bench/run.sh and bench/renditions.sh (sourced): reading the AppHost's console, where it logs
# "<resource> is healthy at <addresses>" for each resource (Douyin.AppHost/ResourceReport.cs).

# wait_healthy LOG PID RESOURCE SECONDS: until RESOURCE is healthy; fails if the AppHost ends first or time runs out.
wait_healthy() {
  local log=$1 pid=$2 resource=$3 seconds=$4
  for _ in $(seq "$seconds"); do
    grep -qE "\b$resource is healthy at " "$log" && return 0
    kill -0 "$pid" 2>/dev/null || return 1
    sleep 1
  done
  grep -qE "\b$resource is healthy at " "$log"
}

# endpoint LOG RESOURCE: the first address RESOURCE is healthy at.
endpoint() { grep -E "\b$2 is healthy at " "$1" | tail -1 | grep -oE '(tcp|http)://[^ ]+' | head -1; }
