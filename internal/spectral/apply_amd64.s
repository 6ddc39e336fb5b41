#include "textflag.h"

// func applyRows(acc, w, x, m *float32, n, p, wstride, xstride int)
//
// For n columns (a multiple of 8) sets acc[s] = Σ_b w_b[s]·(x_b[s] − m_b[s])
// over p bands, row b of w and m at b·wstride bytes, of x at b·xstride
// bytes, summed in band order with one rounding per subtraction,
// multiplication and addition, as the Go loop does. Columns go 32 at a
// time (Y0–Y3), then 8.
TEXT ·applyRows(SB), NOSPLIT, $0-64
	MOVQ acc+0(FP), DI
	MOVQ w+8(FP), SI
	MOVQ x+16(FP), R8
	MOVQ m+24(FP), R9
	MOVQ n+32(FP), CX
	MOVQ p+40(FP), R10
	MOVQ wstride+48(FP), R11
	MOVQ xstride+56(FP), R12

chunk32:
	CMPQ   CX, $32
	JLT    chunk8
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	MOVQ   SI, AX
	MOVQ   R8, BX
	MOVQ   R9, DX
	MOVQ   R10, R13

band32:
	VMOVUPS (BX), Y4
	VMOVUPS 32(BX), Y5
	VMOVUPS 64(BX), Y6
	VMOVUPS 96(BX), Y7
	VSUBPS  (DX), Y4, Y4
	VSUBPS  32(DX), Y5, Y5
	VSUBPS  64(DX), Y6, Y6
	VSUBPS  96(DX), Y7, Y7
	VMULPS  (AX), Y4, Y4
	VMULPS  32(AX), Y5, Y5
	VMULPS  64(AX), Y6, Y6
	VMULPS  96(AX), Y7, Y7
	VADDPS  Y4, Y0, Y0
	VADDPS  Y5, Y1, Y1
	VADDPS  Y6, Y2, Y2
	VADDPS  Y7, Y3, Y3
	ADDQ    R11, AX
	ADDQ    R12, BX
	ADDQ    R11, DX
	DECQ    R13
	JNZ     band32
	VMOVUPS Y0, (DI)
	VMOVUPS Y1, 32(DI)
	VMOVUPS Y2, 64(DI)
	VMOVUPS Y3, 96(DI)
	ADDQ    $128, DI
	ADDQ    $128, SI
	ADDQ    $128, R8
	ADDQ    $128, R9
	SUBQ    $32, CX
	JMP     chunk32

chunk8:
	CMPQ   CX, $8
	JLT    done
	VXORPS Y0, Y0, Y0
	MOVQ   SI, AX
	MOVQ   R8, BX
	MOVQ   R9, DX
	MOVQ   R10, R13

band8:
	VMOVUPS (BX), Y4
	VSUBPS  (DX), Y4, Y4
	VMULPS  (AX), Y4, Y4
	VADDPS  Y4, Y0, Y0
	ADDQ    R11, AX
	ADDQ    R12, BX
	ADDQ    R11, DX
	DECQ    R13
	JNZ     band8
	VMOVUPS Y0, (DI)
	ADDQ    $32, DI
	ADDQ    $32, SI
	ADDQ    $32, R8
	ADDQ    $32, R9
	SUBQ    $8, CX
	JMP     chunk8

done:
	VZEROUPPER
	RET

// func devRow(d, x, shift *float32, sum *float64, n int)
//
// For n bands (a multiple of 8) sets d[b] = x[b] − shift[b] in float32
// and adds float64(d[b]) to sum[b]: one pixel's deviations in the
// statistics pass, eight bands at a time, rounded as the Go loop rounds.
TEXT ·devRow(SB), NOSPLIT, $0-40
	MOVQ d+0(FP), DI
	MOVQ x+8(FP), SI
	MOVQ shift+16(FP), DX
	MOVQ sum+24(FP), BX
	MOVQ n+32(FP), CX

dev8:
	CMPQ         CX, $8
	JLT          devdone
	VMOVUPS      (SI), Y0
	VSUBPS       (DX), Y0, Y0
	VMOVUPS      Y0, (DI)
	VCVTPS2PD    X0, Y1
	VADDPD       (BX), Y1, Y1
	VMOVUPD      Y1, (BX)
	VEXTRACTF128 $1, Y0, X2
	VCVTPS2PD    X2, Y3
	VADDPD       32(BX), Y3, Y3
	VMOVUPD      Y3, 32(BX)
	ADDQ         $32, DI
	ADDQ         $32, SI
	ADDQ         $32, DX
	ADDQ         $64, BX
	SUBQ         $8, CX
	JMP          dev8

devdone:
	VZEROUPPER
	RET

// func transpose8(dst, src *float32, nblocks, dstride, sstride int)
//
// Transposes nblocks blocks of 8×8 float32: block k reads 8 rows of 8
// values at src + 32k (rows sstride bytes apart) and writes them as 8
// columns at dst + 8·dstride·k (rows dstride bytes apart), by the usual
// unpack, shuffle and lane-permute sequence.
TEXT ·transpose8(SB), NOSPLIT, $0-40
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ nblocks+16(FP), CX
	MOVQ dstride+24(FP), DX
	MOVQ sstride+32(FP), BX
	TESTQ CX, CX
	JLE   trdone

trloop:
	MOVQ    SI, AX
	VMOVUPS (AX), Y0
	ADDQ    BX, AX
	VMOVUPS (AX), Y1
	ADDQ    BX, AX
	VMOVUPS (AX), Y2
	ADDQ    BX, AX
	VMOVUPS (AX), Y3
	ADDQ    BX, AX
	VMOVUPS (AX), Y4
	ADDQ    BX, AX
	VMOVUPS (AX), Y5
	ADDQ    BX, AX
	VMOVUPS (AX), Y6
	ADDQ    BX, AX
	VMOVUPS (AX), Y7

	VUNPCKLPS Y1, Y0, Y8
	VUNPCKHPS Y1, Y0, Y9
	VUNPCKLPS Y3, Y2, Y10
	VUNPCKHPS Y3, Y2, Y11
	VUNPCKLPS Y5, Y4, Y12
	VUNPCKHPS Y5, Y4, Y13
	VUNPCKLPS Y7, Y6, Y14
	VUNPCKHPS Y7, Y6, Y15

	VSHUFPS $0x44, Y10, Y8, Y0
	VSHUFPS $0xEE, Y10, Y8, Y1
	VSHUFPS $0x44, Y11, Y9, Y2
	VSHUFPS $0xEE, Y11, Y9, Y3
	VSHUFPS $0x44, Y14, Y12, Y4
	VSHUFPS $0xEE, Y14, Y12, Y5
	VSHUFPS $0x44, Y15, Y13, Y6
	VSHUFPS $0xEE, Y15, Y13, Y7

	VPERM2F128 $0x20, Y4, Y0, Y8
	VPERM2F128 $0x20, Y5, Y1, Y9
	VPERM2F128 $0x20, Y6, Y2, Y10
	VPERM2F128 $0x20, Y7, Y3, Y11
	VPERM2F128 $0x31, Y4, Y0, Y12
	VPERM2F128 $0x31, Y5, Y1, Y13
	VPERM2F128 $0x31, Y6, Y2, Y14
	VPERM2F128 $0x31, Y7, Y3, Y15

	VMOVUPS Y8, (DI)
	ADDQ    DX, DI
	VMOVUPS Y9, (DI)
	ADDQ    DX, DI
	VMOVUPS Y10, (DI)
	ADDQ    DX, DI
	VMOVUPS Y11, (DI)
	ADDQ    DX, DI
	VMOVUPS Y12, (DI)
	ADDQ    DX, DI
	VMOVUPS Y13, (DI)
	ADDQ    DX, DI
	VMOVUPS Y14, (DI)
	ADDQ    DX, DI
	VMOVUPS Y15, (DI)
	ADDQ    DX, DI

	ADDQ $32, SI
	DECQ CX
	JNZ  trloop

trdone:
	VZEROUPPER
	RET
