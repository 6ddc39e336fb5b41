#include "textflag.h"

// func crossTile4x16(a, b *float32, k, stride int, c *float64)
//
// Y0…Y7 hold the 4×16 float32 tile, row r in Y(2r) (columns 0–7) and
// Y(2r+1) (columns 8–15); each pixel adds the outer product of its 4
// bands at a (broadcast) and 16 bands at b.
TEXT ·crossTile4x16(SB), NOSPLIT, $0-40
	MOVQ a+0(FP), AX
	MOVQ b+8(FP), BX
	MOVQ k+16(FP), CX
	MOVQ stride+24(FP), DX
	MOVQ c+32(FP), DI
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	VXORPS Y4, Y4, Y4
	VXORPS Y5, Y5, Y5
	VXORPS Y6, Y6, Y6
	VXORPS Y7, Y7, Y7
	TESTQ CX, CX
	JLE   done

loop:
	VMOVUPS      (BX), Y8
	VMOVUPS      32(BX), Y9
	VBROADCASTSS (AX), Y10
	VFMADD231PS  Y8, Y10, Y0
	VFMADD231PS  Y9, Y10, Y1
	VBROADCASTSS 4(AX), Y11
	VFMADD231PS  Y8, Y11, Y2
	VFMADD231PS  Y9, Y11, Y3
	VBROADCASTSS 8(AX), Y12
	VFMADD231PS  Y8, Y12, Y4
	VFMADD231PS  Y9, Y12, Y5
	VBROADCASTSS 12(AX), Y13
	VFMADD231PS  Y8, Y13, Y6
	VFMADD231PS  Y9, Y13, Y7
	ADDQ         DX, AX
	ADDQ         DX, BX
	DECQ         CX
	JNZ          loop

done:
#define ACC(Y, X, off) \
	VCVTPS2PD    X, Y14          \
	VADDPD       off(DI), Y14, Y14 \
	VMOVUPD      Y14, off(DI)    \
	VEXTRACTF128 $1, Y, X15      \
	VCVTPS2PD    X15, Y15        \
	VADDPD       off+32(DI), Y15, Y15 \
	VMOVUPD      Y15, off+32(DI)

	ACC(Y0, X0, 0)
	ACC(Y1, X1, 64)
	ACC(Y2, X2, 128)
	ACC(Y3, X3, 192)
	ACC(Y4, X4, 256)
	ACC(Y5, X5, 320)
	ACC(Y6, X6, 384)
	ACC(Y7, X7, 448)
	VZEROUPPER
	RET
