#include "textflag.h"

// func syrkTile4x8(u, v *float64, k, stride int, c *float64, cstride int)
//
// Subtracts Σ_r u[r][a]·v[r][b] (r < k, a < 4, b < 8) from c[a][b], rows
// of u and v stride bytes apart, rows of c cstride bytes apart: one tile of
// the trailing update of a blocked Cholesky factorisation. Y0…Y7 hold the
// 4×8 sums, row a in Y(2a) (columns 0–3) and Y(2a+1) (columns 4–7).
TEXT ·syrkTile4x8(SB), NOSPLIT, $0-48
	MOVQ u+0(FP), AX
	MOVQ v+8(FP), BX
	MOVQ k+16(FP), CX
	MOVQ stride+24(FP), DX
	MOVQ c+32(FP), DI
	MOVQ cstride+40(FP), SI
	VXORPD Y0, Y0, Y0
	VXORPD Y1, Y1, Y1
	VXORPD Y2, Y2, Y2
	VXORPD Y3, Y3, Y3
	VXORPD Y4, Y4, Y4
	VXORPD Y5, Y5, Y5
	VXORPD Y6, Y6, Y6
	VXORPD Y7, Y7, Y7
	TESTQ  CX, CX
	JLE    done

loop:
	VMOVUPD      (BX), Y8
	VMOVUPD      32(BX), Y9
	VBROADCASTSD (AX), Y10
	VFMADD231PD  Y8, Y10, Y0
	VFMADD231PD  Y9, Y10, Y1
	VBROADCASTSD 8(AX), Y11
	VFMADD231PD  Y8, Y11, Y2
	VFMADD231PD  Y9, Y11, Y3
	VBROADCASTSD 16(AX), Y12
	VFMADD231PD  Y8, Y12, Y4
	VFMADD231PD  Y9, Y12, Y5
	VBROADCASTSD 24(AX), Y13
	VFMADD231PD  Y8, Y13, Y6
	VFMADD231PD  Y9, Y13, Y7
	ADDQ         DX, AX
	ADDQ         DX, BX
	DECQ         CX
	JNZ          loop

done:
	VMOVUPD (DI), Y8
	VSUBPD  Y0, Y8, Y8
	VMOVUPD Y8, (DI)
	VMOVUPD 32(DI), Y9
	VSUBPD  Y1, Y9, Y9
	VMOVUPD Y9, 32(DI)
	ADDQ    SI, DI
	VMOVUPD (DI), Y8
	VSUBPD  Y2, Y8, Y8
	VMOVUPD Y8, (DI)
	VMOVUPD 32(DI), Y9
	VSUBPD  Y3, Y9, Y9
	VMOVUPD Y9, 32(DI)
	ADDQ    SI, DI
	VMOVUPD (DI), Y8
	VSUBPD  Y4, Y8, Y8
	VMOVUPD Y8, (DI)
	VMOVUPD 32(DI), Y9
	VSUBPD  Y5, Y9, Y9
	VMOVUPD Y9, 32(DI)
	ADDQ    SI, DI
	VMOVUPD (DI), Y8
	VSUBPD  Y6, Y8, Y8
	VMOVUPD Y8, (DI)
	VMOVUPD 32(DI), Y9
	VSUBPD  Y7, Y9, Y9
	VMOVUPD Y9, 32(DI)
	VZEROUPPER
	RET

// func axpyNegAVX(y, x *float64, n int, f float64)
//
// y[i] −= f·x[i] for i < n, n a multiple of 4, eight at a time and then
// four, in fused multiply-adds.
TEXT ·axpyNegAVX(SB), NOSPLIT, $0-32
	MOVQ         y+0(FP), DI
	MOVQ         x+8(FP), SI
	MOVQ         n+16(FP), CX
	VBROADCASTSD f+24(FP), Y15

axpy8:
	CMPQ           CX, $8
	JLT            axpy4
	VMOVUPD        (SI), Y0
	VMOVUPD        32(SI), Y1
	VMOVUPD        (DI), Y2
	VMOVUPD        32(DI), Y3
	VFNMADD231PD   Y0, Y15, Y2
	VFNMADD231PD   Y1, Y15, Y3
	VMOVUPD        Y2, (DI)
	VMOVUPD        Y3, 32(DI)
	ADDQ           $64, SI
	ADDQ           $64, DI
	SUBQ           $8, CX
	JMP            axpy8

axpy4:
	CMPQ           CX, $4
	JLT            axpydone
	VMOVUPD        (SI), Y0
	VMOVUPD        (DI), Y2
	VFNMADD231PD   Y0, Y15, Y2
	VMOVUPD        Y2, (DI)

axpydone:
	VZEROUPPER
	RET
