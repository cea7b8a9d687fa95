namespace DiffusionCore.Networks.Edm;

/// <summary>
/// The weight-initialisation distributions of the EDM layers (Karras et al. 2022, App. F.1–F.2: DDPM++/NCSN++ use
/// Xavier-uniform after Song et al. 2021, ADM uses Kaiming-uniform after Dhariwal &amp; Nichol 2021). The fans are the
/// layer's own (<c>in·k²</c>, <c>out·k²</c>), and the bias is drawn from the same distribution as the weight.
/// </summary>
public enum EdmInitMode
{
    /// <summary>U(−a, a) with a = √(6/(fan_in + fan_out)) (Glorot &amp; Bengio 2010).</summary>
    XavierUniform,

    /// <summary>N(0, 2/(fan_in + fan_out)) (Glorot &amp; Bengio 2010).</summary>
    XavierNormal,

    /// <summary>U(−a, a) with a = √(3/fan_in) (He et al. 2015, unit gain).</summary>
    KaimingUniform,

    /// <summary>N(0, 1/fan_in) (He et al. 2015, unit gain).</summary>
    KaimingNormal,
}
