# Sourced by the GPU scripts: puts cuBLASLt and the CUDA runtime where the carried programs (built
# by scripts/prepare-gpu-run.sh, linked dynamically) find them; the toolkit's first, else those
# pip's nvidia packages hold.
for d in /usr/local/cuda/lib64 /usr/local/cuda/lib /usr/local/cuda/targets/x86_64-linux/lib \
         /opt/torch/.venv/lib/python3*/site-packages/nvidia/cu*/lib \
         /opt/torch/.venv/lib/python3*/site-packages/nvidia/cublas/lib; do
  [ -d "$d" ] && LD_LIBRARY_PATH="${LD_LIBRARY_PATH:+$LD_LIBRARY_PATH:}$d"
done
export LD_LIBRARY_PATH
