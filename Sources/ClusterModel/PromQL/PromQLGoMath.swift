import Foundation

// Go's math package where it computes differently from the C library, so that `^`, `atan2`,
// log2() and log10() give Prometheus' bits (the promtool agreement test compares exactly):
// math.Pow (repeated squaring for the integer part), math.Atan2 (Cephes' atan), math.Log2 and
// math.Log10 (via Frexp and Log). Exp, Log and the trigonometric functions use the C library.

enum GoMath {
    static func log2(_ x: Double) -> Double {
        let (frac, exp) = frexp(x)
        if frac == 0.5 { return Double(exp - 1) }
        return Foundation.log(frac) * 1.44269504088896340735992468100189214 + Double(exp)
    }

    static func log10(_ x: Double) -> Double { Foundation.log(x) * 0.434294481903251827651128918916605082 }

    private static func xatan(_ x: Double) -> Double {
        let p0 = -8.750608600031904122785e-01, p1 = -1.615753718733365076637e+01, p2 = -7.500855792314704667340e+01
        let p3 = -1.228866684490136173410e+02, p4 = -6.485021904942025371773e+01
        let q0 = 2.485846490142306297962e+01, q1 = 1.650270098316988542046e+02, q2 = 4.328810604912902668951e+02
        let q3 = 4.853903996359136964868e+02, q4 = 1.945506571482613964425e+02
        var z = x * x
        let num = (((p0 * z + p1) * z + p2) * z + p3) * z + p4
        let den = ((((z + q0) * z + q1) * z + q2) * z + q3) * z + q4
        z = z * num / den
        return x * z + x
    }

    private static func satan(_ x: Double) -> Double {
        let morebits = 6.123233995736765886130e-17, tan3pio8 = 2.41421356237309504880
        if x <= 0.66 { return xatan(x) }
        if x > tan3pio8 { return Double.pi / 2 - xatan(1 / x) + morebits }
        return Double.pi / 4 + xatan((x - 1) / (x + 1)) + 0.5 * morebits
    }

    static func atan(_ x: Double) -> Double {
        if x == 0 { return x }
        return x > 0 ? satan(x) : -satan(-x)
    }

    static func atan2(_ y: Double, _ x: Double) -> Double {
        if y.isNaN || x.isNaN { return .nan }
        if y == 0 { return x >= 0 && x.sign == .plus ? Double(signOf: y, magnitudeOf: 0) : Double(signOf: y, magnitudeOf: .pi) }
        if x == 0 { return Double(signOf: y, magnitudeOf: .pi / 2) }
        if x.isInfinite {
            if x > 0 { return y.isInfinite ? Double(signOf: y, magnitudeOf: .pi / 4) : Double(signOf: y, magnitudeOf: 0) }
            return y.isInfinite ? Double(signOf: y, magnitudeOf: 2.35619449019234492884698253745962716) : Double(signOf: y, magnitudeOf: .pi)
        }
        if y.isInfinite { return Double(signOf: y, magnitudeOf: .pi / 2) }
        let q = atan(y / x)
        if x < 0 { return q <= 0 ? q + .pi : q - .pi }
        return q
    }

    private static func isOddInt(_ x: Double) -> Bool {
        if Swift.abs(x) >= 9_007_199_254_740_992 { return false }
        let (xi, xf) = modf(x)
        return xf == 0 && Int64(xi) & 1 == 1
    }

    static func pow(_ x: Double, _ y: Double) -> Double {
        if y == 0 || x == 1 { return 1 }
        if y == 1 { return x }
        if x.isNaN || y.isNaN { return .nan }
        if x == 0 {
            if y < 0 { return x.sign == .minus && isOddInt(y) ? -.infinity : .infinity }
            return x.sign == .minus && isOddInt(y) ? x : 0
        }
        if y.isInfinite {
            if x == -1 { return 1 }
            return (Swift.abs(x) < 1) == (y > 0) ? 0 : .infinity
        }
        if x.isInfinite {
            if x < 0 { return pow(1 / x, -y) }
            return y < 0 ? 0 : .infinity
        }
        if y == 0.5 { return x.squareRoot() }
        if y == -0.5 { return 1 / x.squareRoot() }
        var (yi, yf) = modf(Swift.abs(y))
        if yf != 0 && x < 0 { return .nan }
        if yi >= 9.223372036854775808e18 {
            if x == -1 { return 1 }
            return (Swift.abs(x) < 1) == (y > 0) ? 0 : .infinity
        }
        var a1 = 1.0
        var ae = 0
        if yf != 0 {
            if yf > 0.5 { yf -= 1; yi += 1 }
            a1 = Foundation.exp(yf * Foundation.log(x))
        }
        var (x1, xe) = frexp(x)
        var i = Int64(yi)
        while i != 0 {
            if xe < -(1 << 12) || (1 << 12) < xe { ae += xe; break }
            if i & 1 == 1 { a1 *= x1; ae += xe }
            x1 *= x1
            xe <<= 1
            if x1 < 0.5 { x1 += x1; xe -= 1 }
            i >>= 1
        }
        if y < 0 { a1 = 1 / a1; ae = -ae }
        return scalbn(a1, ae)
    }
}
