/*
 * bcryptprimitives.dll for Wine 8.0, which lacks it: Rust's standard
 * library asks it for random bytes (ProcessPrng) when a program starts, so
 * without it every Rust program exits at once with status 53. This one
 * forwards to RtlGenRandom (advapi32's SystemFunction036), which Wine has.
 * Test support only: built by tests/wine/run, never committed as a binary.
 */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len)
{
    while (len > 0) {
        ULONG chunk = len > 0x40000000 ? 0x40000000 : (ULONG)len;
        if (!SystemFunction036(data, chunk))
            return FALSE;
        data += chunk;
        len -= chunk;
    }
    return TRUE;
}
