package envi_test

import (
	"fmt"
	"log"

	"github.com/vigia/vigia/internal/envi"
)

// Reading a radiance cube in blocks of lines, with bounded memory, after
// checking it has the wavelengths a matched filter needs.
func ExampleOpen() {
	c, err := envi.Open("ang20191021t171902_rdn_v2y1_img.hdr")
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	if err := c.Header().RequireWavelengths(); err != nil {
		log.Fatal(err)
	}
	lines, samples, bands := c.Dims()
	const block = 32
	buf := make([]float32, block*bands*samples)
	for l := 0; l < lines; l += block {
		n := min(block, lines-l)
		if err := c.ReadBlock(l, n, nil, buf[:n*bands*samples]); err != nil {
			log.Fatal(err)
		}
		// buf[(i*bands+b)*samples+s] is line l+i, band b, sample s.
	}
}

// Locating raw pixels with the flight line's IGM file.
func ExampleOpenIGM() {
	g, err := envi.OpenIGM("ang20191021t171902_rdn_v2y1_igm.hdr")
	if err != nil {
		log.Fatal(err)
	}
	defer g.Close()
	if lon, lat, ok := g.LonLat(100, 300); ok {
		fmt.Printf("%.6f %.6f\n", lon, lat)
	}
}
