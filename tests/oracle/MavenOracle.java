// Batch oracle for the Maven scheme: maven-artifact's ComparableVersion from
// the Maven installed on this machine. Compiled by the oracle runner into a
// temporary directory.
// stdin: "HEX(a) HEX(b)" per line (UTF-8). stdout per line:
// "CMP HEX(canonical(a)) HEX(canonical(b))", CMP as -1/0/1.
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.apache.maven.artifact.versioning.ComparableVersion;

public class MavenOracle {
    private static String unhex(String hex) {
        byte[] bytes = new byte[hex.length() / 2];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) Integer.parseInt(hex.substring(2 * i, 2 * i + 2), 16);
        }
        return new String(bytes, StandardCharsets.UTF_8);
    }

    private static String hex(String text) {
        StringBuilder out = new StringBuilder();
        for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
            out.append(String.format("%02x", b & 0xff));
        }
        return out.toString();
    }

    public static void main(String[] args) throws Exception {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.US_ASCII));
        StringBuilder out = new StringBuilder();
        String line;
        while ((line = in.readLine()) != null) {
            if (line.isEmpty()) continue;
            int space = line.indexOf(' ');
            ComparableVersion a = new ComparableVersion(unhex(line.substring(0, space)));
            ComparableVersion b = new ComparableVersion(unhex(line.substring(space + 1)));
            out.append(Integer.signum(a.compareTo(b))).append(' ')
               .append(hex(a.getCanonical())).append(' ')
               .append(hex(b.getCanonical())).append('\n');
        }
        PrintStream stdout = new PrintStream(System.out, false, "US-ASCII");
        stdout.print(out);
        stdout.flush();
    }
}
